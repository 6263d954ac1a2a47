"""Runs rendered Kubernetes workloads as local processes, one network namespace per pod: each Job's and
Deployment's command, args and env (ConfigMap and Secret references resolved), one replica each.

What stands in for the cluster: the namespaces and /etc/netns hosts files for pod networking and
Service DNS; a UTS namespace per pod for its hostname; a directory per emptyDir volume (env values under a mountPath are rewritten to it); the
venv's python, gunicorn and celery for the image's."""
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.ops.k8s import container, of_kind
from tests.ops.netns import Network

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Pod:
    name: str
    kind: str
    command: list[str]
    env: dict[str, str]
    spec: dict

    @property
    def port(self) -> int | None:
        ports = container(self.spec).get("ports", [])
        return ports[0]["containerPort"] if ports else None

    def probe_url(self, address: str, probe: str) -> tuple[str, dict] | None:
        """URL and headers of the pod's readinessProbe or livenessProbe, if it has one."""
        spec = container(self.spec).get(probe)
        if spec is None:
            return None
        get = spec["httpGet"]
        return f"http://{address}:{self.port}{get['path']}", {h["name"]: h["value"] for h in get.get("httpHeaders", [])}


def _env_of(workload: dict, config: dict, secrets: dict) -> dict[str, str]:
    spec = container(workload)
    env = {}
    for source in spec.get("envFrom", []):
        env.update(config[source["configMapRef"]["name"]])
    for item in spec.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            env[item["name"]] = secrets[item["valueFrom"]["secretKeyRef"]["key"]]
    return env


def pods_of(objects, secrets: dict[str, str]) -> list[Pod]:
    """Jobs first (migrations), then Deployments; `secrets` replaces the example Secret's placeholders."""
    config = {name: cm["data"] for name, cm in of_kind(objects, "ConfigMap").items()}
    pods = []
    for kind in ("Job", "Deployment"):
        for name, workload in of_kind(objects, kind).items():
            spec = container(workload)
            pods.append(Pod(name, kind, [*spec["command"], *spec.get("args", [])], _env_of(workload, config, secrets),
                            workload))
    return pods


def service_aliases(objects) -> dict[str, str]:
    """Service name -> the Deployment whose pods it selects."""
    deployments = of_kind(objects, "Deployment")
    aliases = {}
    for service, spec in of_kind(objects, "Service").items():
        selector = spec["spec"]["selector"].items()
        (target,) = [name for name, d in deployments.items()
                     if selector <= d["spec"]["template"]["metadata"]["labels"].items()]
        aliases[service] = target
    return aliases


class PodRunner:
    def __init__(self, network: Network, workdir: Path, extra_env: dict[str, str]):
        self.network, self.workdir, self.extra_env = network, workdir, extra_env
        self.processes: dict[str, subprocess.Popen] = {}

    def _local_env(self, pod: Pod) -> dict[str, str]:
        pod_dir = self.workdir / pod.name
        env = dict(pod.env)
        for mount in container(pod.spec).get("volumeMounts", []):
            local = pod_dir / mount["name"]
            local.mkdir(parents=True, exist_ok=True)
            env = {k: v.replace(mount["mountPath"], str(local), 1) if v.startswith(mount["mountPath"]) else v
                   for k, v in env.items()}
        return {"PATH": f"{BIN}:{os.environ['PATH']}", "HOME": str(pod_dir), "TMPDIR": str(pod_dir / "tmp"),
                "PYTHONUNBUFFERED": "1", **env, **self.extra_env}

    def _argv(self, pod: Pod) -> list[str]:
        """The pod's command in its network namespace and, as on a cluster, under a hostname of its own
        (Celery names its worker after the host: two alike would fight over one control queue)."""
        program = BIN / pod.command[0]
        hostname = f"{pod.name}-{self.network.tag}"
        return [*self.network.exec_prefix(pod.name), "unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"',
                hostname, str(program) if program.exists() else pod.command[0], *pod.command[1:]]

    def run_to_completion(self, pod: Pod, extra_env: dict | None = None, timeout: float = 300) -> None:
        result = subprocess.run(self._argv(pod), cwd=ROOT, env={**self._local_env(pod), **(extra_env or {})},
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"{pod.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")

    def start(self, pod: Pod) -> None:
        log = open(self.workdir / f"{pod.name}.log", "ab")
        self.processes[pod.name] = subprocess.Popen(self._argv(pod), cwd=ROOT, env=self._local_env(pod), stdout=log,
                                                    stderr=subprocess.STDOUT, start_new_session=True)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
