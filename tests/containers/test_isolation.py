"""Only the entry point is published: no other container maps a port to the host, the services' ports do
not answer on the host, and the services' names resolve on the compose network only."""
import json
import os
import socket
import subprocess

import requests

from shop.platform.topology import APPS, PORTS
from tests.containers.conftest import ENTRY_SERVICE

INTERNAL_PORTS = [PORTS[app] for app in APPS]


def published_ports(container: str) -> list[str]:
    ports = json.loads(subprocess.run(["podman", "inspect", "--format", "{{json .NetworkSettings.Ports}}", container],
                                      check=True, capture_output=True, text=True).stdout) or {}
    return [binding["HostPort"] for bindings in ports.values() for binding in bindings or []]


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_only_the_entry_point_is_published(deployment):
    entry = deployment.container(ENTRY_SERVICE[deployment.topology])
    published = {container: published_ports(container) for container in deployment.project.containers()}
    assert published.pop(entry) == [str(deployment.port)]
    assert not any(published.values()), published
    assert requests.get(f"{deployment.url}/health/", timeout=10).status_code == 200
    assert not any(answers(port) for port in INTERNAL_PORTS), "a service port answers on the host"


def resolvable(names: list[str], network: str) -> list[str]:
    """The names a throwaway container of the shop image on `network` can resolve."""
    script = f"import socket\nfor name in {names!r}:\n    try: socket.getaddrinfo(name, None); print(name)\n" \
             "    except OSError: pass"
    result = subprocess.run(["podman", "run", "--rm", "--network", network, "--entrypoint", "python3",
                             os.environ["SHOP_IMAGE"], "-c", script], capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_services_resolve_inside_the_compose_network_only(deployment):
    names = ["postgres", "rabbitmq", "redis", ENTRY_SERVICE[deployment.topology]]
    names += list(APPS) if deployment.topology == "split" else []
    network = subprocess.run(["podman", "inspect", "--format", "{{range $name, $_ := .NetworkSettings.Networks}}"
                              "{{$name}}{{end}}", deployment.container("redis")],
                             check=True, capture_output=True, text=True).stdout.strip()
    assert resolvable(names, network) == names
    assert resolvable(names, "podman") == [], "service names resolve outside the compose network"
