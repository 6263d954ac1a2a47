"""Hosts on one machine for the network tests: one network namespace per pod, joined by veth pairs to a
bridge in the root namespace, with /etc/netns/<ns>/hosts mapping the Kubernetes Service names (so
`http://users:5001` resolves as in the manifests). TcpForwarder makes host services on loopback
reachable from the namespaces at the bridge address. Needs root (CAP_NET_ADMIN)."""
import ipaddress
import random
import shutil
import socket
import subprocess
import threading
import uuid
from pathlib import Path

NETNS_DIR = Path("/etc/netns")


def ip(*args: str, namespace: str | None = None) -> None:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    subprocess.run([*prefix, "ip", *args], check=True, capture_output=True, timeout=10)


def unavailable_reason() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    if shutil.which("ip") is None:
        return "iproute2 (`ip`) is not installed"
    probe = f"shop-probe-{uuid.uuid4().hex[:6]}"
    try:
        ip("netns", "add", probe)
    except (subprocess.CalledProcessError, OSError) as exc:
        return f"cannot create a network namespace here (needs root/CAP_NET_ADMIN): {getattr(exc, 'stderr', exc)!r}"
    ip("netns", "del", probe)
    return None


def _free_subnet() -> ipaddress.IPv4Network:
    routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True, check=True).stdout
    while True:
        subnet = ipaddress.ip_network(f"10.{random.randint(100, 250)}.{random.randint(0, 255)}.0/24")
        if str(subnet.network_address)[:-1] not in routes:
            return subnet


class Network:
    """A bridge and one namespace per host name; `hosts` maps each name to its address, and `aliases`
    (e.g. Service names) resolve to their host's address in every namespace."""

    def __init__(self, names: list[str], aliases: dict[str, str] | None = None):
        self.tag = uuid.uuid4().hex[:5]
        self.subnet = _free_subnet()
        addresses = list(self.subnet.hosts())
        self.gateway_address = str(addresses[0])
        self.hosts = {name: str(addresses[i + 1]) for i, name in enumerate(names)}
        self.bridge = f"shbr{self.tag}"
        self.aliases = aliases or {}

    def namespace(self, name: str) -> str:
        return f"shop-{self.tag}-{name}"

    def link(self, name: str) -> str:
        return f"sh{self.tag}{list(self.hosts).index(name)}"  # host side of the name's veth pair

    def create(self) -> "Network":
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.gateway_address}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        names = {**{name: name for name in self.hosts}, **self.aliases}
        hosts_file = "127.0.0.1 localhost\n" + "".join(f"{self.hosts[host]} {name}\n" for name, host in names.items())
        for name, address in self.hosts.items():
            namespace, outside = self.namespace(name), self.link(name)
            ip("netns", "add", namespace)
            (NETNS_DIR / namespace).mkdir(parents=True, exist_ok=True)
            (NETNS_DIR / namespace / "hosts").write_text(hosts_file)
            ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", namespace)
            ip("link", "set", outside, "master", self.bridge, "up")
            ip("addr", "add", f"{address}/24", "dev", "eth0", namespace=namespace)
            ip("link", "set", "eth0", "up", namespace=namespace)
            ip("link", "set", "lo", "up", namespace=namespace)
            ip("route", "add", "default", "via", self.gateway_address, namespace=namespace)
        return self

    def partition(self, name: str) -> None:
        ip("link", "set", self.link(name), "down")

    def heal(self, name: str) -> None:
        ip("link", "set", self.link(name), "up")

    def exec_prefix(self, name: str) -> list[str]:
        return ["ip", "netns", "exec", self.namespace(name)]

    def destroy(self) -> None:
        for name in self.hosts:
            subprocess.run(["ip", "netns", "del", self.namespace(name)], capture_output=True)
            shutil.rmtree(NETNS_DIR / self.namespace(name), ignore_errors=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)


class TcpForwarder:
    """Listens on (host, any free port) and relays each connection to target_port on loopback."""

    def __init__(self, host: str, target_port: int):
        self.target_port = target_port
        self.server = socket.create_server((host, 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        self.server.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()
