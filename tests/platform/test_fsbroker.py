"""The embedded filesystem broker: atomic writes, and at-least-once delivery across a killed consumer."""
import signal
import subprocess
import sys
from pathlib import Path

from kombu import Connection

TRANSPORT = "shop.platform.messaging.fsbroker:Transport"


def connect(folder) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    return Connection("filesystem://", transport=TRANSPORT, transport_options=options)


def messages(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


ROOT = Path(__file__).resolve().parents[2]
CONSUME_THEN_HANG = """
import sys, time
from tests.platform.test_fsbroker import connect
queue = connect(sys.argv[1]).SimpleQueue("tasks")
print(queue.get(timeout=5).payload, flush=True)
time.sleep(60)
"""


def test_messages_appear_only_complete_and_partial_files_are_never_consumed(tmp_path):
    (tmp_path / ".partial-1_other.tasks.msg").write_bytes(b'{"half": ')  # another process mid-write
    with connect(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        queue.put({"order_id": 7})
        message = queue.get(timeout=2)
        assert message.payload == {"order_id": 7}
        message.ack()
        assert queue.qsize() == 0  # the half-written file is not a message yet
        queue.close()


def test_a_fetched_message_is_kept_until_acknowledged(tmp_path):
    with connect(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        queue.put({"order_id": 7})
        message = queue.get(timeout=2)
        assert len(list((tmp_path / "taken").iterdir())) == 1
        message.ack()
        assert list((tmp_path / "taken").iterdir()) == []
        queue.close()


def test_the_messages_of_a_killed_consumer_are_delivered_again(tmp_path):
    with connect(tmp_path) as conn:
        conn.SimpleQueue("tasks").put({"order_id": 7})
    consumer = subprocess.Popen([sys.executable, "-c", CONSUME_THEN_HANG, str(tmp_path)], stdout=subprocess.PIPE,
                                cwd=ROOT, text=True)
    assert consumer.stdout.readline().strip() == "{'order_id': 7}"  # fetched, not acknowledged
    consumer.send_signal(signal.SIGKILL)
    consumer.wait(timeout=10)
    with connect(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        again = queue.get(timeout=2)
        assert again.payload == {"order_id": 7}
        again.ack()
        assert list((tmp_path / "taken").iterdir()) == [] and queue.qsize() == 0
        queue.close()


def test_messages_consumed_without_acks_leave_nothing_behind(tmp_path):
    with connect(tmp_path) as conn:
        queue = conn.SimpleQueue("control", no_ack=True)
        queue.put({"ping": 1})
        assert queue.get(timeout=2).payload == {"ping": 1}
        assert list((tmp_path / "taken").iterdir()) == []
        queue.close()
