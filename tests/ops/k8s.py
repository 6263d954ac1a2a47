"""Renders the Kubernetes overlays with `kubectl kustomize` (shared by the manifest tests)."""
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
OVERLAYS = ("monolith", "hybrid", "split")  # named as the topologies of tools/stack.py
DEV_OVERLAY = "dev"  # split plus in-cluster PostgreSQL, RabbitMQ and Redis


@cache
def _render(overlay: str) -> tuple[dict, ...]:
    result = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)], capture_output=True,
                            text=True, timeout=60, check=True)
    return tuple(yaml.safe_load_all(result.stdout))


def render(overlay: str) -> tuple[dict, ...]:
    """Every object of the overlay; skips the test where kubectl is missing."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed: cannot render deploy/k8s (apt-get install kubectl, or see docs/kubernetes.md)")
    return _render(overlay)


def of_kind(objects, kind: str) -> dict[str, dict]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def container(workload: dict) -> dict:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    return only


def plain_env(workload: dict) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container(workload).get("env", []) if "value" in item}


def service_aliases(objects) -> dict[str, list[str]]:
    """Deployment name -> the names of the Services that select its pods."""
    deployments = of_kind(objects, "Deployment")
    aliases: dict[str, list[str]] = {name: [] for name in deployments}
    for service, spec in of_kind(objects, "Service").items():
        selector = spec["spec"]["selector"].items()
        for name, deployment in deployments.items():
            if selector <= deployment["spec"]["template"]["metadata"]["labels"].items():
                aliases[name].append(service)
    return aliases
