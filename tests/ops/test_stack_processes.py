"""tools/stack.py runs one beat process beside the workers, no worker schedules (-B), the backstops have
workers of their own, and groups of apps."""
import ast
import subprocess
import sys

import pytest

from tools.stack import ROOT, Stack, ports_from


@pytest.mark.parametrize("topology, broker, workers", [
    ("split", "", ["orders-worker", "inventory-worker", "orders-backstop", "inventory-backstop"]),
    ("hybrid", "", ["users,catalog,orders-worker", "inventory-worker", "users,catalog,orders-backstop",
                    "inventory-backstop"]),
    ("catalog,inventory users,orders", "", ["catalog,inventory-worker", "users,orders-worker",
                                            "catalog,inventory-backstop", "users,orders-backstop"]),
    ("monolith", "amqp://guest:guest@127.0.0.1:5672//", ["monolith-worker", "monolith-backstop"]),
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
    assert stack.env("users,catalog,orders")["SHOP_WEB_BIND"] == "127.0.0.1:20001"
    assert stack.host_of("catalog") == "users,catalog,orders"


def test_groups_are_named_as_the_processes_name_themselves(tmp_path):
    assert Stack("orders,users inventory,catalog", tmp_path).roles == ("users,orders", "catalog,inventory", "gateway")
    with pytest.raises(ValueError, match="'nope' is not an app"):
        Stack("users,nope", tmp_path).roles


def _consumed_and_routed(env: dict) -> tuple[set, set]:
    """(queues a worker consumes, queues the beat routes periodic tasks to) under the process's environment."""
    code = ("from django.conf import settings as s; print(sorted(q.name for q in s.CELERY_TASK_QUEUES)); "
            "print(sorted({e['options'].get('queue', '') for e in s.CELERY_BEAT_SCHEDULE.values()} - {''}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    consumed, routed = (set(ast.literal_eval(line)) for line in out.stdout.splitlines())
    return consumed, routed


def test_the_backstop_workers_consume_only_the_backstop_queues_the_beat_routes_to(tmp_path):
    """A wedged app worker cannot hold up expiry and the reconciler (issue 21): the beat sends them to
    `<app>.backstop`, which only the backstop worker consumes."""
    stack = Stack("split", tmp_path, broker_url="amqp://guest:guest@127.0.0.1:5672//", namespace="ns-")
    routed_everywhere = set()
    for role in ("orders", "inventory"):
        backstop, routed = _consumed_and_routed(stack.process_env(f"{role}-backstop", role))
        worker, _ = _consumed_and_routed(stack.process_env(f"{role}-worker", role))
        assert backstop == {f"ns-{role}.backstop"} and worker == {f"ns-{role}"}
        routed_everywhere |= routed
    assert routed_everywhere == {"ns-orders.backstop", "ns-inventory.backstop"}


def test_backstops_go_to_their_queues_and_every_periodic_task_expires_within_its_period(settings):
    backstops = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if "queue" in entry["options"]}
    assert {"orders.expire_pending", "orders.recover_payments", "inventory.reconcile_stock"} == backstops
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert 0 < entry["options"]["expires"] <= entry["schedule"]
