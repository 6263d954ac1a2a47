"""A RabbitMQ node of the test's own (own name, ports and directories), so stopping its broker touches
nothing that other tests or other checkouts share."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import port_free


class RabbitNode:
    def __init__(self, ports: range = range(5673, 5700)):
        self.port = next(p for p in ports if port_free(p) and port_free(p + 20000))
        # A name of its own too: rabbitmqctl finds nodes by name, and another checkout's node may take this port
        # while ours restarts.
        self.name = f"shopchaos{self.port}x{os.getpid()}@localhost"
        # rabbitmq-server drops root for the rabbitmq user: its directories must be reachable by it.
        self.dir = Path(tempfile.mkdtemp(prefix="shop-chaos-rabbit-"))
        self.dir.chmod(0o777)
        (self.dir / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.dir / "enabled_plugins").write_text("[].\n")  # no management plugin: its port is shared
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def _env(self) -> dict:
        return {**os.environ, "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.port + 20000), "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.dir / "log"), "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins")}

    def start(self, timeout: float = 120) -> "RabbitNode":
        log = open(self.dir / "server.out", "ab")
        self.process = subprocess.Popen(["rabbitmq-server"], env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.wait_open(timeout)
        self.ctl("await_startup")  # this node is up, not just someone listening on its port
        return self

    def wait_open(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while _free_to_connect(self.port) is False:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"RabbitMQ node {self.name} did not open port {self.port}; see {self.dir}")
            time.sleep(0.25)

    def ctl(self, *args: str) -> None:
        subprocess.run(["rabbitmqctl", "-n", self.name, *args], env=self._env(), check=True, timeout=120,
                       capture_output=True)

    def list_queues(self) -> dict[str, tuple[int, int, int]]:
        """{queue: (messages ready, unacknowledged, consumers)}, as `rabbitmqctl list_queues` reports them."""
        result = subprocess.run(["rabbitmqctl", "-n", self.name, "-q", "list_queues", "name", "messages_ready",
                                 "messages_unacknowledged", "consumers", "--no-table-headers"], env=self._env(),
                                check=True, timeout=120, capture_output=True, text=True)
        rows = (line.split("\t") for line in result.stdout.splitlines() if line.strip())
        return {name: (int(ready), int(unacked), int(consumers)) for name, ready, unacked, consumers in rows}

    def stop_app(self) -> None:
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        self.wait_open(60)

    def restart(self, down_seconds: float = 0) -> None:
        """The whole node stopped (its Erlang VM exits) and started again on the same data (a few tries: the
        Erlang distribution may hold the node's name a moment)."""
        self.halt()
        time.sleep(down_seconds)
        for attempt in range(5):
            try:
                self.start()
                return
            except RuntimeError:
                if attempt == 4:
                    raise
                time.sleep(3)

    def halt(self) -> None:
        """Stops the node (rabbitmqctl, else SIGKILL) and keeps its directories, for start() later."""
        try:
            self.ctl("stop")
        except Exception:
            pass
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.dir, ignore_errors=True)


def _free_to_connect(port: int) -> bool:
    """True once something accepts connections on the port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
