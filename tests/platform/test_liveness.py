"""A worker's liveness check (shop/platform/messaging/heartbeat.py, liveness.py) against a real Celery worker process,
started with the local stacks' command: it passes while the worker's consumer loop turns, and fails
once the loop stops while the process stays (frozen with SIGSTOP), then passes again (SIGCONT)."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from shop.platform.messaging import heartbeat, liveness
from tests.conftest import BROKER_URL
from tools.stack import ROOT, Stack

MAX_AGE = 2 * heartbeat.HEARTBEAT_SECONDS


def _check(path) -> int:
    return liveness.main(["--file", str(path), "--max-age", str(MAX_AGE)])


def _poll(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture(params=["filesystem", "rabbitmq"])
def worker(request, tmp_path):
    """(process, heartbeat file) of an inventory worker: on kombu's filesystem broker (the blocking loop)
    or on RabbitMQ (the event loop), under a namespace of its own so it consumes no one else's queue."""
    if request.param == "rabbitmq" and not BROKER_URL:
        pytest.skip("needs RabbitMQ: make test-services")
    stack = Stack("split", tmp_path, broker_url=BROKER_URL if request.param == "rabbitmq" else "",
                  namespace=f"liveness-{uuid.uuid4().hex[:8]}-")
    env = stack.env("inventory")
    process = subprocess.Popen(stack.worker_command("inventory"), cwd=ROOT, env=env, start_new_session=True,
                               stdout=open(tmp_path / "worker.log", "wb"), stderr=subprocess.STDOUT)
    try:
        yield process, tmp_path / f"worker-heartbeat-inventory-{socket.gethostname()}"
    finally:
        with contextlib.suppress(ProcessLookupError):  # a test may have killed it
            os.killpg(process.pid, signal.SIGCONT)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if request.param == "rabbitmq":
            stack.clean_up()


def test_the_probe_fails_while_the_worker_loop_is_frozen_and_passes_once_it_turns(worker):
    process, beat_file = worker
    assert _poll(lambda: _check(beat_file) == 0, 60), "the worker never beat"
    assert _poll(lambda: "ready." in (beat_file.parent / "worker.log").read_text(), 60)  # its loop runs
    os.killpg(process.pid, signal.SIGSTOP)  # alive, holding its connection, consuming nothing
    assert _poll(lambda: _check(beat_file) == 1, MAX_AGE + 10)
    assert process.poll() is None
    os.killpg(process.pid, signal.SIGCONT)
    assert _poll(lambda: _check(beat_file) == 0, 2 * heartbeat.HEARTBEAT_SECONDS + 5)


def test_the_command_reads_the_roles_file_from_settings(tmp_path):
    env = {**os.environ, "SHOP_DATA_DIR": str(tmp_path), "SHOP_SERVICE": "inventory", "DJANGO_DEBUG": "1"}
    command = [sys.executable, "-m", "shop.platform.messaging.liveness"]
    missing = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "no heartbeat file" in missing.stderr
    beat_file = tmp_path / f"worker-heartbeat-inventory-{socket.gethostname()}"
    beat_file.touch()
    assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=60).returncode == 0
    os.utime(beat_file, (time.time() - 120,) * 2)
    stale = subprocess.run([*command, "--max-age", "90"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=60)
    assert stale.returncode == 1 and "its loop last beat 12" in stale.stderr


def test_the_probe_kills_a_stale_worker_when_asked(worker):
    """Compose's health check (--kill): a stuck loop never reads the flag its SIGTERM or SIGQUIT handler sets,
    so the probe kills the worker whose pid the heartbeat file holds, and the restart policy starts it again."""
    process, beat_file = worker
    assert _poll(lambda: _check(beat_file) == 0, 60), "the worker never beat"
    assert int(beat_file.read_text().split()[0]) == process.pid
    assert liveness.main(["--file", str(beat_file), "--max-age", str(MAX_AGE), "--kill"]) == 0
    assert process.poll() is None  # a live worker is left alone
    os.killpg(process.pid, signal.SIGSTOP)
    assert _poll(lambda: liveness.main(["--file", str(beat_file), "--max-age", str(MAX_AGE), "--kill"]) == 1,
                 MAX_AGE + 10)
    assert process.wait(timeout=10) == -signal.SIGKILL


@pytest.mark.skipif(not BROKER_URL, reason="needs RabbitMQ: make test-services")
def test_the_probe_fails_a_worker_that_receives_nothing_while_its_queue_holds_messages(tmp_path):
    """The wedge whose loop still turns (--progress-age): the heartbeat is fresh, but the worker received no task
    for longer than the limit while RabbitMQ holds messages ready in its queue. An idle worker passes."""
    from kombu import Connection

    namespace = f"liveness-{uuid.uuid4().hex[:8]}-"
    env = {**os.environ, "SHOP_DATA_DIR": str(tmp_path), "SHOP_SERVICE": "inventory", "DJANGO_DEBUG": "1",
           "CELERY_BROKER_URL": BROKER_URL, "SHOP_NAMESPACE": namespace}
    beat_file = tmp_path / "beat"
    beat_file.write_text(f"{os.getpid()} {time.time() - 300:.0f}")  # beating, but received nothing for 300 s
    command = [sys.executable, "-m", "shop.platform.messaging.liveness", "--file", str(beat_file),
               "--progress-age", "120"]
    with Connection(BROKER_URL) as connection:
        queue = connection.SimpleQueue(f"{namespace}inventory")
        try:
            assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=60).returncode == 0  # idle
            queue.put({"task": "waiting"})
            time.sleep(1)  # RabbitMQ's ready count follows the publish
            stuck = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
            assert stuck.returncode == 1 and "while 1 messages are ready" in stuck.stderr
        finally:
            queue.queue.delete()
            queue.close()
