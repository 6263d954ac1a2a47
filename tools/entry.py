"""The public entry point of a local shop during a cutover: Debian's HAProxy, listening on the public port and
forwarding each request to the current topology's entry (the monolith or the gateway).

Switching is atomic over HAProxy's runtime API: the backend has two server slots; the idle slot gets the new
address and is enabled, then the old slot is put in maintenance. From then on every new request goes to the
new topology, including the next request on a client's kept-alive connection (HAProxy balances each request
in HTTP mode); requests already sent to the old one finish there."""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SLOTS = ("a", "b")
STOPPED = 0  # srv_op_state of a server that takes no requests (in maintenance)
CONFIG = """global
    stats socket {socket} mode 600 level admin
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    # A connection refused before the request was sent is tried again, on the other slot if this one is
    # down: nothing reached a server, so any method may be retried.
    retries 3
    retry-on conn-failure
    option redispatch 1
frontend entry
    bind 127.0.0.1:{port}
    default_backend shop
backend shop
    server a 127.0.0.1:{backend}
    server b 127.0.0.1:{backend} disabled
"""


def installed() -> bool:
    return shutil.which("haproxy") is not None


class Entry:
    """`Entry(data_dir, port).start(backend_port)`; then `switch(port)` as often as needed; `stop()`.
    A running entry point is found again by its data dir (`Entry(data_dir, port).active()`)."""

    def __init__(self, data_dir: Path, port: int):
        self.dir, self.port = Path(data_dir) / "entry", port
        self.socket = self.dir / "haproxy.sock"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, backend_port: int) -> "Entry":
        if not installed():
            raise RuntimeError("the entry point needs HAProxy: apt-get install haproxy")
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "haproxy.cfg"
        config.write_text(CONFIG.format(socket=self.socket, port=self.port, backend=backend_port))
        log = open(self.dir / "haproxy.log", "ab")
        self.process = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 10
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy did not start; see {self.dir / 'haproxy.log'}")
            time.sleep(0.05)
        return self

    def _answers(self) -> bool:
        try:
            return "shop" in self.command("show servers state shop")
        except OSError:
            return False

    def command(self, line: str) -> str:
        """One runtime API command (several may be separated by ';'), its answer."""
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(5)
            conn.connect(str(self.socket))
            conn.sendall(line.encode() + b"\n")
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        return answer.decode()

    def servers(self) -> dict[str, tuple[int, bool]]:
        """Each slot's backend port and whether it takes requests (not in maintenance)."""
        rows = [line.split() for line in self.command("show servers state shop").splitlines()[2:] if line.strip()]
        # columns: be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port (18th)
        return {row[3]: (int(row[18]), int(row[5]) != STOPPED) for row in rows}

    def active(self) -> tuple[str, int]:
        """The slot taking requests, and its backend port."""
        return next((slot, port) for slot, (port, up) in self.servers().items() if up)

    def switch(self, backend_port: int) -> None:
        """New requests go to `backend_port` from now on; those in flight on the old backend finish there."""
        old, _ = self.active()
        new = SLOTS[1 - SLOTS.index(old)]
        answer = self.command(f"set server shop/{new} addr 127.0.0.1 port {backend_port}; "
                              f"set server shop/{new} state ready; set server shop/{old} state maint")
        if self.active() != (new, backend_port):
            raise RuntimeError(f"HAProxy did not switch to port {backend_port}: {answer!r}")

    def stop(self) -> None:
        """A soft stop: HAProxy stops listening and exits once the requests in flight have finished."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGUSR1)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
