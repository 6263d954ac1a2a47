"""The wedged-consumer reproduction loop (issue 21): restarts a private RabbitMQ node again and again
while a Celery worker, started with the local stacks' command (tools/stack.py: `--pool threads -c 4`)
and the shop's own Celery settings, has tasks in flight under load; counts the restarts after which the
worker holds a consumer but completes nothing.

    .venv/bin/python -m tools.wedge_repro --restarts 50 [--seed 1] [--stall 30] [--unfixed] [--dump]

Prints one line per restart and a summary; exits 1 if any restart wedged the worker. `--unfixed` runs
the worker with Celery's default prefetch-count reduction (the shop turns it off in settings), which
is what wedges it. The worker's task
is a 0.2 s sleep that appends a byte to a progress file, so progress is read without the broker."""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from celery import Celery

# The worker and this driver load the shop's settings as the inventory role does (dev mode, no database
# needed): the worker runs with the very CELERY_* options the shop's workers run with.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ.setdefault("SHOP_SERVICE", "inventory")
os.environ.setdefault("DJANGO_DEBUG", "1")

from shop.platform.messaging import heartbeat, liveness  # noqa: E402


app = Celery("wedge-repro")
app.config_from_object("django.conf:settings", namespace="CELERY")
if os.environ.get("WEDGE_UNFIXED"):
    app.conf.worker_enable_prefetch_count_reduction = True  # Celery's default
heartbeat.install(app)  # as shop/celery.py does: the liveness probe's file
TASK_SECONDS = 0.2
BACKLOG = 150  # messages kept waiting in the queue: there is always work to consume
RECOVERED = 40  # tasks completed after a reconnect that show the worker consumes again (prefetch is 4)


@app.task(name="inventory.wedge_repro_work")
def work() -> None:
    time.sleep(TASK_SECONDS)
    fd = os.open(os.environ["WEDGE_PROGRESS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, b".")
    finally:
        os.close(fd)


def worker_command() -> list[str]:
    """tools/stack.py's worker command, pointed at this module's app."""
    from tools.stack import Stack

    command = Stack.worker_command(_StackName(), "inventory")
    return [("tools.wedge_repro" if arg == "shop" else arg) for arg in command]


class _StackName:
    namespace = "wedge-"


class Run:
    def __init__(self, node, workdir: Path, stall: float, log):
        self.node, self.stall, self.log = node, stall, log
        self.progress = workdir / "progress"
        self.progress.touch()
        self.env = {**os.environ, "CELERY_BROKER_URL": node.url, "WEDGE_PROGRESS": str(self.progress),
                    "SHOP_DATA_DIR": str(workdir / "data"), "SHOP_WORKER_HEARTBEAT_FILE": str(workdir / "heartbeat")}
        os.environ.update(self.env)  # this driver's publisher and queue reads use the same node
        self.worker_log = workdir / "worker.log"
        self.worker: subprocess.Popen | None = None
        self.stop = threading.Event()
        self.published = 0

    def completed(self) -> int:
        return self.progress.stat().st_size

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(worker_command(), env=self.env, stdout=open(self.worker_log, "ab"),
                                       stderr=subprocess.STDOUT, start_new_session=True)

    def stop_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()

    def publisher(self) -> None:
        """Keeps about BACKLOG messages ahead of the worker; waits out the outages."""
        while not self.stop.is_set():
            try:
                while self.published - self.completed() < BACKLOG and not self.stop.is_set():
                    work.apply_async(retry=False)
                    self.published += 1
            except Exception:
                time.sleep(0.5)
                continue
            time.sleep(0.2)

    def queue_state(self) -> tuple[int, int] | None:
        """(ready messages, consumers) of the worker's queue, or None while the broker is away."""
        try:
            with app.connection_for_read() as connection:
                connection.ensure_connection(max_retries=1)
                _, ready, consumers = connection.default_channel.queue_declare(
                    app.conf.task_default_queue, passive=True)
                return ready, consumers
        except Exception:
            return None

    def wait_progress(self, timeout: float) -> bool:
        start = self.completed()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.completed() > start:
                return True
            time.sleep(0.2)
        return False

    def after_outage(self) -> str:
        """'ok' once the worker, holding a consumer again, completes RECOVERED tasks; 'wedged' if it holds
        a consumer with messages ready and completes nothing for `stall` seconds; 'gone' if it never
        consumes again. A wedged worker may still finish the few tasks it took before it stuck."""
        deadline = time.monotonic() + 120 + self.stall  # Celery's reconnect back-off reaches 30 s between tries
        last, last_change = self.completed(), time.monotonic()
        base = None  # completed tasks when the worker's consumer was first seen again
        while time.monotonic() < deadline:
            time.sleep(1)
            done = self.completed()
            if done != last:
                last, last_change = done, time.monotonic()
            if base is not None and done - base >= RECOVERED:
                return "ok"
            state = self.queue_state()
            if state and state[1] >= 1:
                if base is None:
                    base, attached = done, time.monotonic()
                if state[0] > 0 and time.monotonic() - max(attached, last_change) > self.stall:
                    return "wedged"
        return "gone"

    def dump(self, label: str) -> None:
        """py-spy's stacks of the worker, into the log, when py-spy is installed and may attach."""
        spy = Path(sys.executable).with_name("py-spy")
        if spy.exists():
            out = subprocess.run([str(spy), "dump", "--pid", str(self.worker.pid)], capture_output=True, text=True,
                                 timeout=60)
            self.log(f"--- py-spy dump ({label}) ---\n{out.stdout[-6000:]}{out.stderr[-500:]}")


def private_node():
    """tests/chaos's RabbitNode, on a port above the ones the chaos tests pick: while this node is down for a
    restart, a chaos test starting beside it must not take its port."""
    from tests.chaos.rabbit import RabbitNode
    from tests.conftest import port_free

    node = RabbitNode()
    node.port = next(p for p in range(5750, 5800) if port_free(p) and port_free(p + 20000))
    node.name = f"shopwedge{node.port}@localhost"
    (node.dir / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{node.port}\n")
    return node


def ctl(node, *args: str, tries: int = 3) -> None:
    """rabbitmqctl, a few tries: on a loaded machine it may not reach the node at the first."""
    for attempt in range(tries):
        try:
            return node.ctl(*args)
        except subprocess.CalledProcessError:
            if attempt == tries - 1:
                raise
            time.sleep(2)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stall", type=float, default=30.0, help="seconds without progress that make a wedge")
    parser.add_argument("--dump", action="store_true", help="py-spy dump of each wedged worker")
    parser.add_argument("--unfixed", action="store_true", help="Celery's default prefetch-count reduction")
    args = parser.parse_args(argv)
    if args.unfixed:
        os.environ["WEDGE_UNFIXED"] = "1"

    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="shop-wedge-"))
    node = private_node().start()
    started = time.monotonic()

    def log(line: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {line}", flush=True)

    run = Run(node, workdir, args.stall, log)
    outcomes = []
    try:
        run.start_worker()
        threading.Thread(target=run.publisher, daemon=True).start()
        if not run.wait_progress(120):
            raise SystemExit(f"the worker never consumed; see {run.worker_log}")
        log(f"worker {run.worker.pid} consuming: {' '.join(worker_command()[1:])}")
        for restart in range(1, args.restarts + 1):
            run.wait_progress(30)
            time.sleep(rng.uniform(0.5, 2.0))  # land anywhere in a task's 0.2 s
            kind = rng.choice(("stop_app", "node"))
            outage = rng.uniform(3, 12)
            if kind == "stop_app":
                ctl(node, "stop_app")
                time.sleep(outage)
                ctl(node, "start_app")
                node.wait_open(60)
            else:
                node.restart(outage)
            outcome = run.after_outage()
            outcomes.append(outcome)
            log(f"restart {restart:3d} ({kind:8s} {outage:4.1f}s): {outcome}  completed={run.completed()}")
            if outcome != "ok":
                if args.dump:
                    run.dump(f"restart {restart}")
                # the compose health check: the probe fails, and kills the stale worker (--kill)
                probe = liveness.main(["--file", str(workdir / "heartbeat"), "--max-age", str(args.stall),
                                       "--progress-age", str(args.stall), "--kill"])
                try:
                    run.worker.wait(timeout=10)
                    exited = f"exited ({run.worker.returncode})"
                except subprocess.TimeoutExpired:
                    exited = "still running"
                verdict = "fails" if probe else "passes"
                log(f"liveness probe (--max-age/--progress-age {args.stall:.0f} --kill): {verdict}; the worker {exited}")
                run.stop_worker()
                run.start_worker()
                run.wait_progress(120)
    finally:
        run.stop.set()
        run.stop_worker()
        node.stop()
    wedged = outcomes.count("wedged")
    gone = outcomes.count("gone")
    log(f"{len(outcomes)} restarts: {wedged} wedged, {gone} without a consumer, "
        f"{outcomes.count('ok')} recovered; {run.completed()} tasks completed; worker log {run.worker_log}")
    return 1 if wedged or gone else 0


if __name__ == "__main__":
    sys.exit(main())
