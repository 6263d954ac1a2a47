"""Runs a rendered Kubernetes overlay with `podman kube play` on the shop image: each Job and Deployment as a
pod of its own (its own network namespace), one replica each, on one podman network made for the run.

What stands in for the cluster (podman 4.3 plays Pods and Deployments, with the ConfigMaps beside them):
- Service names: each Deployment's pod joins the network as `--network <net>:alias=<service>` for every
  Service that selects it, so aardvark-dns (the network's DNS) answers `users` as cluster DNS would.
- The Secret: a podman secret (a JSON object of base64 values: what podman's `secretKeyRef` reads).
- The Job: its pod template played as a Pod with `restartPolicy: Never`, awaited with `podman wait`.
- Names: podman's pod, secret and network names are machine-wide, so the run's tag ends each of them.
- The image: `image: shop` set to the locally built one, as `kustomize edit set image` would.
- Ports and probes: left out of what is played (podman 4.3 publishes every containerPort on the host, so
  two pods would claim one port, and it has no kubelet to probe). Pods are reached at their address
  on the network, as in a cluster, and the test sends each probe's request itself."""
import base64
import copy
import json
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.ops.k8s import of_kind, service_aliases


def podman(*args: str, timeout: float = 120) -> str:
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"podman {' '.join(args[:3])}: {result.stderr.strip()}")
    return result.stdout.strip()


def _container(manifest: dict) -> dict:
    """The only container of a Pod's, Deployment's or Job's manifest."""
    spec = manifest["spec"] if manifest["kind"] == "Pod" else manifest["spec"]["template"]["spec"]
    (only,) = spec["containers"]
    return only


@dataclass
class Pod:
    name: str  # the Deployment's or Job's
    kind: str
    spec: dict  # its container, as rendered
    manifest: dict  # what is played
    pod: str  # podman's pod name
    address: str = ""  # on the run's network, once played
    mac: str = ""  # its interface's, kept when a partition heals

    @property
    def container(self) -> str:
        return f"{self.pod}-{self.spec['name']}"

    def exec_probe(self, kind: str) -> list[str] | None:
        """The command of the pod's exec probe (a worker's liveness), if it has one."""
        probe = self.spec.get(kind) or {}
        return probe.get("exec", {}).get("command")

    def run(self, *command: str) -> subprocess.CompletedProcess:
        """The command in the pod's container, as the kubelet runs an exec probe."""
        return subprocess.run(["podman", "exec", self.container, *command], capture_output=True, text=True, timeout=60)

    @property
    def port(self) -> int | None:
        ports = self.spec.get("ports", [])
        return ports[0]["containerPort"] if ports else None

    def env(self, name: str) -> str:
        return podman("exec", self.container, "printenv", name)

    def probe(self, kind: str) -> tuple[str, dict] | None:
        """URL and headers of the pod's HTTP readinessProbe or livenessProbe, if it has one."""
        probe = self.spec.get(kind)
        if probe is None or "httpGet" not in probe:
            return None
        get = probe["httpGet"]
        return f"http://{self.address}:{self.port}{get['path']}", {h["name"]: h["value"] for h in get.get("httpHeaders", [])}


class KubePlay:
    def __init__(self, objects, image: str, config: dict[str, str], workdir: Path):
        """`config` adds to the ConfigMap."""
        self.tag = uuid.uuid4().hex[:6]
        self.network = f"shop-k8s-{self.tag}"
        self.workdir = workdir
        (self.config,) = copy.deepcopy([config_map for name, config_map in of_kind(objects, "ConfigMap").items()
                                        if name in _env_config_maps(objects)])  # not the alert rules
        self.config["data"] |= config
        (secret,) = of_kind(objects, "Secret")
        self.secret = f"{secret}-{self.tag}"
        self.aliases = service_aliases(objects)
        self.pods = [self._pod(kind, name, workload, image) for kind in ("Job", "Deployment")
                     for name, workload in of_kind(objects, kind).items()]

    def _pod(self, kind: str, name: str, workload: dict, image: str) -> Pod:
        spec = _container(workload)
        manifest = copy.deepcopy(workload)
        manifest["metadata"]["name"] = f"{name}-{self.tag}"
        played = _container(manifest)
        played["image"] = image
        for item in played.get("env", []):
            if "valueFrom" in item:
                item["valueFrom"]["secretKeyRef"]["name"] = self.secret
        for key in ("ports", "readinessProbe", "livenessProbe"):
            played.pop(key, None)  # the test probes; podman 4.3 would publish every containerPort on the host
        if kind == "Job":
            template = manifest["spec"]["template"]
            manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {**template["metadata"], "name": f"{name}-{self.tag}"},
                        "spec": {**template["spec"], "restartPolicy": "Never"}}
            return Pod(name, kind, spec, manifest, f"{name}-{self.tag}")
        manifest["spec"]["replicas"] = 1
        return Pod(name, kind, spec, manifest, f"{name}-{self.tag}-pod-0")

    def gateway_address(self) -> str:
        return json.loads(podman("network", "inspect", self.network))[0]["subnets"][0]["gateway"]

    def create_network(self) -> None:
        podman("network", "create", self.network)

    def create_secret(self, values: dict[str, str]) -> None:
        """The Secret, with `values` in place of the example's placeholders."""
        secret_file = self.workdir / "secret.json"
        secret_file.write_text(json.dumps({key: base64.b64encode(value.encode()).decode()
                                           for key, value in values.items()}))
        podman("secret", "create", self.secret, str(secret_file))
        secret_file.unlink()

    def play(self, pod: Pod) -> None:
        manifest = self.workdir / f"{pod.name}.yaml"
        manifest.write_text(yaml.safe_dump_all([self.config, pod.manifest]))
        aliases = ",".join(f"alias={alias}" for alias in self.aliases.get(pod.name, []))
        podman("kube", "play", "--network", f"{self.network}:{aliases}" if aliases else self.network, str(manifest),
               timeout=300)
        pod.address, pod.mac = self.address_of(self._infra(pod))

    def liveness_as_kubelet(self, pod: Pod, until: float) -> bool:
        """Runs the pod's exec livenessProbe as the kubelet would (podman plays no probes): every periodSeconds,
        and after failureThreshold failures in a row restarts it. True once it did."""
        probe, failures = pod.spec["livenessProbe"], 0
        while time.monotonic() < until:
            failures = failures + 1 if pod.run(*probe["exec"]["command"]).returncode else 0
            if failures >= probe.get("failureThreshold", 3):
                self.restart(pod, grace=probe.get("terminationGracePeriodSeconds", 30))
                return True
            time.sleep(probe.get("periodSeconds", 10))
        return False

    def restart(self, pod: Pod, grace: float) -> None:
        """Stops the pod's container within `grace` seconds and starts it again. podman 4.3 stops a played pod's
        network holder with its last container (exit policy "stop") and offers no other, so the whole pod is
        started again, at a new address: unlike a kubelet, which keeps the pod's network."""
        podman("stop", "--time", str(grace), pod.container)
        podman("pod", "start", pod.pod)
        pod.address, pod.mac = self.address_of(self._infra(pod))

    def address_of(self, infra: str) -> tuple[str, str]:
        """The infra container's IP and MAC addresses on the run's network."""
        network = json.loads(podman("inspect", "--format", "{{json .NetworkSettings.Networks}}", infra))[self.network]
        return network["IPAddress"], network["MacAddress"]

    def run_to_completion(self, pod: Pod, timeout: float = 300) -> None:
        self.play(pod)
        code = podman("wait", pod.container, timeout=timeout)
        if code != "0":
            raise RuntimeError(f"{pod.name} exited with {code}:\n{self.logs(pod)}")

    def logs(self, pod: Pod, tail: int = 60) -> str:
        result = subprocess.run(["podman", "logs", "--tail", str(tail), pod.container], capture_output=True, text=True)
        return result.stdout + result.stderr

    def partition(self, pod: Pod) -> None:
        """Takes the pod off the network (`podman network disconnect` of its infra container)."""
        podman("network", "disconnect", self.network, self._infra(pod))

    def heal(self, pod: Pod) -> None:
        """Puts it back, under its Service names and at its IP and MAC addresses: as after a cut link, not a new
        pod. Callers' pooled connections to the old IP would otherwise hang until their read timeout, and so
        would those of a caller whose ARP cache still holds the old MAC (a new one is drawn at each connect)."""
        podman("network", "connect", f"--ip={pod.address}", f"--mac-address={pod.mac}", *(f"--alias={alias}" for alias in self.aliases.get(pod.name, [])),
               self.network, self._infra(pod))

    def _infra(self, pod: Pod) -> str:
        return podman("pod", "inspect", "--format", "{{.InfraContainerID}}", pod.pod)

    def destroy(self) -> None:
        """Removes every pod, the secret and the network; whatever is missing is skipped."""
        subprocess.run(["podman", "pod", "rm", "--force", "--ignore", "--time=5", *(pod.pod for pod in self.pods)],
                       capture_output=True, timeout=180)
        subprocess.run(["podman", "secret", "rm", self.secret], capture_output=True, timeout=60)
        subprocess.run(["podman", "network", "rm", "-f", self.network], capture_output=True, timeout=60)


def _env_config_maps(objects) -> set[str]:
    """The ConfigMaps the workloads take their environment from (envFrom)."""
    return {source["configMapRef"]["name"] for kind in ("Job", "Deployment") for workload in of_kind(objects, kind).values()
            for source in _container(workload).get("envFrom", []) if "configMapRef" in source}
