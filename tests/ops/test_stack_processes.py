"""tools/stack.py runs one beat process beside the workers, no worker schedules (-B), and groups of apps."""
import pytest

from tools.stack import Stack, ports_from


@pytest.mark.parametrize("topology, broker, workers", [
    ("split", "", ["orders-worker", "inventory-worker"]),
    ("hybrid", "", ["users,catalog,orders-worker", "inventory-worker"]),
    ("catalog,inventory users,orders", "", ["catalog,inventory-worker", "users,orders-worker"]),
    ("monolith", "amqp://guest:guest@127.0.0.1:5672//", ["monolith-worker"]),
])
def test_one_beat_process_and_no_worker_schedules(tmp_path, topology, broker, workers):
    commands = Stack(topology, tmp_path, broker_url=broker).background_commands()
    names = [name for name, _, _ in commands]
    assert sorted(names) == sorted([*workers, "beat"])
    assert not any("-B" in argv or "--beat" in argv for _, _, argv in commands)
    (beat,) = [argv for name, _, argv in commands if name == "beat"]
    assert beat[beat.index("-A") + 1:beat.index("-A") + 3] == ["shop", "beat"]


def test_embedded_monolith_needs_no_celery_process(tmp_path):
    assert Stack("monolith", tmp_path).background_commands() == []


def test_a_group_listens_on_its_first_apps_port_and_its_apps_share_that_url(tmp_path):
    stack = Stack("hybrid", tmp_path, ports=ports_from(20000))
    assert stack.roles == ("users,catalog,orders", "inventory", "gateway")
    env = stack.env("gateway")
    assert env["SHOP_USERS_URL"] == env["SHOP_CATALOG_URL"] == env["SHOP_ORDERS_URL"] == "http://127.0.0.1:20001"
    assert env["SHOP_INVENTORY_URL"] == "http://127.0.0.1:20004"
    assert stack.env("users,catalog,orders")["GUNICORN_BIND"] == "127.0.0.1:20001"
    assert stack.host_of("catalog") == "users,catalog,orders"


def test_groups_are_named_as_the_processes_name_themselves(tmp_path):
    assert Stack("orders,users inventory,catalog", tmp_path).roles == ("users,orders", "catalog,inventory", "gateway")
    with pytest.raises(ValueError, match="'nope' is not an app"):
        Stack("users,nope", tmp_path).roles
