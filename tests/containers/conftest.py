"""Fixtures for the container tests (`make test-containers`): docker-compose.yml run for real under podman.

Each profile comes up once per session as its own compose project (own network, own PostgreSQL, RabbitMQ
and Redis containers, fresh secrets), with only the entry point published, on a free port outside the
live-stack test range, with the live stacks' test settings (compose.test.yml); it is taken down with its
volumes afterwards. The contract suite's fixtures are reused as they are, with `stack` pointing at the
containerized entry point."""
import os
import re
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FAST_HASHER, LOOSE_THROTTLES, MAX_PENDING_ORDERS, STAFF
from tests.contract.conftest import (api, crowd, customer, make_customer, make_product, operators,  # noqa: F401
                                     order, product, someone, staff, staff_token)
from tools.compose import COMPOSE_FILE, Project
from tools.stack import production_env

ENTRY_PORTS = range(18000, 19000)  # below the live-stack tests' 20000-32767, clear of 8000
REQUIRED = sorted(set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text())))  # the variables compose demands
ENTRY_SERVICE = {"monolith": "shop", "split": "gateway"}
USERS_SERVICE = {"monolith": "shop", "split": "users"}
TEST_OVERRIDE = Path(__file__).with_name("compose.test.yml")

if not os.environ.get("SHOP_IMAGE"):
    raise pytest.UsageError("run the container tests through `make test-containers` (it builds the images and "
                            "sets CONTAINERS_CONF and the *_IMAGE variables)")


@dataclass
class Deployment:
    topology: str  # the compose profile: "monolith" or "split"
    project: Project
    port: int
    metrics_token: str = ""  # the operators' token of its env file

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def container(self, service: str) -> str:
        return self.project.container(service)


def free_entry_port() -> int:
    for port in ENTRY_PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)):
                return port
    raise RuntimeError(f"no free port in {ENTRY_PORTS}")


def env_line(name: str, value: str) -> str:
    """One env-file line; a PEM key's newlines are written as \\n, which settings turn back."""
    escaped = value.strip().replace("\n", "\\n")
    return f"{name}={escaped}\n"


def write_env_file(path, port: int) -> dict[str, str]:
    """Fresh secrets for every variable compose requires (keys from tools.stack), plus the test settings."""
    values = {name: secrets.token_urlsafe(32) for name in REQUIRED} | production_env() | LOOSE_THROTTLES
    values |= {"DJANGO_PASSWORD_HASHERS": FAST_HASHER, "SHOP_MAX_PENDING_ORDERS": str(MAX_PENDING_ORDERS),
               "SHOP_HTTP_PORT": str(port)}
    path.write_text("".join(env_line(name, value) for name, value in values.items()))
    return values


def create_staff(deployment: Deployment) -> None:
    container = deployment.container(USERS_SERVICE[deployment.topology])
    env = [f"--env=DJANGO_SUPERUSER_{key.upper()}={value}" for key, value in STAFF.items()]
    subprocess.run(["podman", "exec", *env, container, "python", "manage.py", "createsuperuser", "--noinput"],
                   check=True, capture_output=True, timeout=120)


def require_podman() -> None:
    if not shutil.which("podman"):
        pytest.skip("podman is not installed, and `make test-containers` could not install it with apt "
                    "(podman runc debootstrap)")


@pytest.fixture(scope="session", params=["monolith", "split"])
def deployment(request, tmp_path_factory):
    require_podman()
    port = free_entry_port()
    env_file = tmp_path_factory.mktemp("compose") / "env"
    values = write_env_file(env_file, port)
    project = Project(f"shop-ct-{request.param}", env_file, overrides=(TEST_OVERRIDE,))
    project.down(volumes=True)  # whatever an interrupted run left behind
    try:
        project.up(request.param)
        deployment = Deployment(request.param, project, port, metrics_token=values["SHOP_METRICS_TOKEN"])
        create_staff(deployment)
        yield deployment
    finally:
        project.down(volumes=True)


@pytest.fixture(scope="session")
def stack(deployment) -> Deployment:
    """The contract suite's stack: the containerized entry point."""
    return deployment
