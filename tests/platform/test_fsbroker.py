"""The embedded filesystem broker writes each message atomically: consumers never see one half written."""
from kombu import Connection

TRANSPORT = "shop.platform.fsbroker:Transport"


def test_messages_appear_only_complete_and_partial_files_are_never_consumed(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    (tmp_path / ".partial-1_other.tasks.msg").write_bytes(b'{"half": ')  # another process mid-write
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options) as conn:
        queue = conn.SimpleQueue("tasks")
        queue.put({"order_id": 7})
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".partial-") and "other" not in p.name]
        message = queue.get(timeout=2)
        assert message.payload == {"order_id": 7}
        message.ack()
        assert queue.qsize() == 0  # the half-written file is not a message yet
        queue.close()
