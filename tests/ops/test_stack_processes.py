"""tools/stack.py runs one beat process beside the workers, and no worker schedules (-B)."""
import pytest

from tools.stack import Stack


@pytest.mark.parametrize("topology, broker, workers", [
    ("split", "", ["orders-worker", "inventory-worker"]),
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
