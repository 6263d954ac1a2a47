"""Runs docker-compose.yml under podman, honouring `depends_on` conditions. Used by `make compose-up`,
`make compose-down` and the container tests.

podman-compose skips `condition: service_healthy` on podman older than 4.6 (Debian 12 ships 4.3), and
podman runs health checks from systemd timers, which machines without systemd lack. So this starts the
services in dependency order, a batch at a time (`podman-compose up --no-deps`), after running each
upstream's own health check (`podman healthcheck run`) until it passes, or waiting for a one-shot to exit 0.

    python -m tools.compose up --profile split [--project shop] [--env-file .env] [-f override.yml]
    python -m tools.compose down [--project shop] [--volumes]
"""
import argparse
import subprocess
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROFILES = ("monolith", "split")
HEALTH_TIMEOUT = 180  # seconds; RabbitMQ's first start on a loaded 2-core machine takes ~30 s


class ComposeError(RuntimeError):
    pass


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode:
        raise ComposeError(f"podman {' '.join(args)}: {result.stderr.strip()}")
    return result


def services(profile: str, files: list[Path]) -> dict[str, dict]:
    """The services a profile runs (those without profiles, and those of this profile), overrides merged."""
    merged: dict[str, dict] = {}
    for file in files:
        for name, service in yaml.safe_load(file.read_text())["services"].items():
            merged[name] = {**merged.get(name, {}), **service}
    return {name: service for name, service in merged.items() if profile in service.get("profiles", [profile])}


def start_batches(selected: dict[str, dict]) -> list[list[str]]:
    """The services in start order, grouped: each batch depends only on services of earlier batches."""
    sorter = TopologicalSorter({name: set(service.get("depends_on", {})) for name, service in selected.items()})
    sorter.prepare()
    batches = []
    while sorter.is_active():
        batches.append(sorted(sorter.get_ready()))
        sorter.done(*batches[-1])
    return batches


class Project:
    def __init__(self, name: str, env_file: Path | None = None, overrides: tuple[Path, ...] = ()):
        self.name = name
        self.env_file = env_file
        self.files = [COMPOSE_FILE, *overrides]

    def compose(self, *args: str, profiles: tuple[str, ...] = PROFILES, timeout: float = 300) -> None:
        command = [sys.executable, "-m", "podman_compose", "--in-pod", "false", "-p", self.name]
        command += [arg for file in self.files for arg in ("-f", str(file))]
        command += [arg for profile in profiles for arg in ("--profile", profile)]
        command += ["--env-file", str(self.env_file)] if self.env_file else []
        result = subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise ComposeError(f"podman-compose {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def container(self, service: str) -> str:
        names = podman("ps", "-a", "--filter", f"label=io.podman.compose.project={self.name}",
                       "--filter", f"label=com.docker.compose.service={service}", "--format", "{{.Names}}").stdout
        if not names.split():
            raise ComposeError(f"no container for service {service} in project {self.name}")
        return names.split()[0]

    def containers(self) -> list[str]:
        return podman("ps", "-a", "--filter", f"label=io.podman.compose.project={self.name}",
                      "--format", "{{.Names}}").stdout.split()

    def up(self, profile: str) -> None:
        selected = services(profile, self.files)
        ready: set[str] = set()  # upstreams whose condition has been seen to hold
        for batch in start_batches(selected):
            for name in batch:
                for upstream, rule in selected[name].get("depends_on", {}).items():
                    self.wait(upstream, rule["condition"], ready)
            self.compose("up", "-d", "--no-deps", "--no-build", *batch, profiles=(profile,))
        for name, service in selected.items():
            if not service.get("healthcheck", {}).get("disable") and service.get("restart") != "no":
                self.wait(name, "service_healthy", ready)

    def wait(self, service: str, condition: str, ready: set[str]) -> None:
        if service in ready:
            return
        container = self.container(service)
        if condition == "service_completed_successfully":
            self.wait_completed(container)
        elif condition == "service_healthy":
            self.wait_healthy(container)
        ready.add(service)

    def wait_completed(self, container: str) -> None:
        code = podman("wait", container, timeout=HEALTH_TIMEOUT).stdout.strip()
        if code != "0":
            raise ComposeError(f"{container} exited with {code}:\n{self.logs(container)}")

    def wait_healthy(self, container: str) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while podman("healthcheck", "run", container, check=False, timeout=60).returncode:
            state = podman("inspect", "--format", "{{.State.Status}}", container).stdout.strip()
            if state not in ("running", "created") or time.monotonic() > deadline:
                raise ComposeError(f"{container} is not healthy ({state}):\n{self.logs(container)}")
            time.sleep(1)

    def logs(self, container: str, tail: int = 40) -> str:
        result = podman("logs", "--tail", str(tail), container, check=False)
        return result.stdout + result.stderr

    def down(self, volumes: bool = False) -> None:
        self.compose("down", *(["-v"] if volumes else []), "-t", "5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--profile", choices=PROFILES, default="monolith")
    parser.add_argument("--project", default="shop")
    parser.add_argument("--env-file", type=Path)
    parser.add_argument("-f", "--file", dest="overrides", type=Path, action="append", default=[])
    parser.add_argument("--volumes", action="store_true", help="down: remove the named volumes too")
    args = parser.parse_args()
    project = Project(args.project, args.env_file, tuple(args.overrides))
    try:
        project.up(args.profile) if args.action == "up" else project.down(args.volumes)
    except ComposeError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
