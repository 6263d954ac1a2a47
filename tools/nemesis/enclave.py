"""A network namespace for one service, so that the nemesis can partition it for real (iproute2, as root).

The service listens inside the namespace, at the inner end of a veth pair; its callers reach it there. What it
calls on loopback (PostgreSQL, RabbitMQ, Redis, the other services) it reaches through relays that listen at the
outer end and connect to 127.0.0.1, so the relays' own connections never cross the cut. A cut gives each end a
permanent neighbour entry with a MAC address nobody has: every frame crossing the pair is dropped on arrival,
both ways, with both links up and no error to either side, as across a cut cable. Open connections hang until
the cut heals or their timeouts fire; the heal deletes the entries, and ARP resolves the real addresses again."""
import errno
import re
import socket
import subprocess
import uuid

from tests.containers.forward import TcpForwarder

NOBODY = "02:00:00:00:00:00"  # a locally administered address no interface has
LOOPBACK_URL = re.compile(r"(?<=[/@])127\.0\.0\.1:(\d+)")


def free_index() -> int:
    """The first 10.213.<index>.0/30 that no interface of this machine holds yet."""
    for index in range(256):
        with socket.socket() as probe:
            try:
                probe.bind((f"10.213.{index}.1", 0))
            except OSError as error:
                if error.errno == errno.EADDRNOTAVAIL:
                    return index
                raise
    raise RuntimeError("every 10.213.<index>.1 is taken")


def _ip(*args: str, namespace: str = "") -> None:
    command = ["ip", *(["-n", namespace] if namespace else []), *args]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=30)


class Enclave:
    def __init__(self, index: int):
        """`index` (0-255) picks the pair's addresses, 10.213.<index>.1 outside and .2 inside."""
        tag = uuid.uuid4().hex[:6]
        self.namespace, self.outer_link, self.inner_link = f"shop-nemesis-{tag}", f"nemo{tag}", f"nemi{tag}"
        self.outer, self.inner = f"10.213.{index}.1", f"10.213.{index}.2"
        self.relays: dict[int, TcpForwarder] = {}
        _ip("netns", "add", self.namespace)
        try:
            _ip("link", "add", self.outer_link, "type", "veth", "peer", "name", self.inner_link)
            _ip("link", "set", self.inner_link, "netns", self.namespace)
            _ip("addr", "add", f"{self.outer}/30", "dev", self.outer_link)
            _ip("link", "set", self.outer_link, "up")
            _ip("addr", "add", f"{self.inner}/30", "dev", self.inner_link, namespace=self.namespace)
            _ip("link", "set", self.inner_link, "up", namespace=self.namespace)
            _ip("link", "set", "lo", "up", namespace=self.namespace)
        except BaseException:
            self.close()
            raise

    def command(self, argv: list[str]) -> list[str]:
        """`argv` run inside the namespace (`ip netns exec` execs it: the pid stays the service's)."""
        return ["ip", "netns", "exec", self.namespace, *argv]

    def environment(self, env: dict, port: int) -> dict:
        """The service's environment inside: it listens at the inner address, and every loopback URL it was
        given points at a relay of the same port at the outer address."""
        adapted = dict(env, SHOP_WEB_BIND=f"{self.inner}:{port}")
        for name, value in env.items():
            if name.endswith("_URL") and isinstance(value, str):
                for loopback_port in LOOPBACK_URL.findall(value):
                    self._relay(int(loopback_port))
                adapted[name] = LOOPBACK_URL.sub(lambda match: f"{self.outer}:{match.group(1)}", value)
        return adapted

    def _relay(self, port: int) -> None:
        if port not in self.relays:
            self.relays[port] = TcpForwarder(self.outer, port, listen_port=port)

    def cut(self) -> None:
        _ip("neigh", "replace", self.inner, "lladdr", NOBODY, "dev", self.outer_link, "nud", "permanent")
        _ip("neigh", "replace", self.outer, "lladdr", NOBODY, "dev", self.inner_link, "nud", "permanent",
            namespace=self.namespace)

    def heal(self) -> None:
        _ip("neigh", "del", self.inner, "dev", self.outer_link)
        _ip("neigh", "del", self.outer, "dev", self.inner_link, namespace=self.namespace)

    def close(self) -> None:
        """Closes the relays and deletes the namespace, which takes the pair with it."""
        for relay in self.relays.values():
            relay.close()
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True, timeout=30)
        subprocess.run(["ip", "link", "del", self.outer_link], capture_output=True, timeout=30)  # if never moved
