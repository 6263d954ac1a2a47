"""deploy/k8s: every overlay renders, every object is valid Kubernetes 1.32 (strict), and the wiring
docs/kubernetes.md promises is there: probes, one beat, secrets by reference, only the entry point exposed."""
import base64

import kubernetes_validate
import pytest

from shop.platform.topology import APPS, PORTS, default_port, owned_apps, role_named
from tests.ops.k8s import DEV_OVERLAY, OVERLAYS, container, of_kind, plain_env, render
from tools.stack import BACKSTOP_APPS, roles_of

KUBERNETES_VERSION = "1.32.0"
ENTRY_POINT = {"monolith": "monolith", "split": "gateway", "hybrid": "gateway"}


def name_of(role: str) -> str:
    """A role's Service name, and its Deployment's after "shop-": a group's apps joined by hyphens."""
    return role.replace(",", "-")


@pytest.mark.parametrize("overlay", [*OVERLAYS, DEV_OVERLAY])
def test_every_object_is_valid_kubernetes(overlay):
    for obj in render(overlay):
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_runs_the_one_image_with_its_role(overlay):
    objects = render(overlay)
    workloads = [*of_kind(objects, "Deployment").values(), *of_kind(objects, "Job").values()]
    assert {container(w)["image"] for w in workloads} == {"localhost/shop:latest"}
    for workload in workloads:
        role = plain_env(workload)["SHOP_SERVICE"]
        assert role_named(role) == role  # a valid role, written as the process names it
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container(workload)["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_http_roles_have_probes_resources_service_and_budget(overlay):
    objects = render(overlay)
    deployments, services = of_kind(objects, "Deployment"), of_kind(objects, "Service")
    budgets = of_kind(objects, "PodDisruptionBudget")
    for role in roles_of(overlay):
        spec = container(deployments[f"shop-{name_of(role)}"])
        assert plain_env(deployments[f"shop-{name_of(role)}"])["SHOP_SERVICE"] == role
        assert spec["readinessProbe"]["httpGet"]["path"] == "/health/"
        assert spec["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert set(spec["resources"]) == {"requests", "limits"}
        assert services[name_of(role)]["spec"]["ports"][0]["port"] == default_port(role)
        assert budgets[f"shop-{name_of(role)}"]["spec"]["minAvailable"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_exactly_one_beat_and_no_worker_schedules(overlay):
    deployments = of_kind(render(overlay), "Deployment")
    beats = [d for d in deployments.values() if "beat" in container(d)["command"]]
    assert len(beats) == 1
    assert beats[0]["spec"]["replicas"] == 1 and beats[0]["spec"]["strategy"]["type"] == "Recreate"
    workers = [d for d in deployments.values() if "worker" in container(d)["command"]]
    assert workers and not any("-B" in container(w)["command"] for w in workers)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_are_restarted_when_their_consumer_loop_stops(overlay):
    """Issue 21: a worker alive but no longer consuming fails its liveness probe (the loop's heartbeat)."""
    deployments = of_kind(render(overlay), "Deployment")
    workers = [d for d in deployments.values() if "worker" in container(d)["command"]]
    for worker in workers:
        probe = container(worker)["livenessProbe"]
        command = probe["exec"]["command"]
        assert command[:3] == ["python", "-m", "shop.platform.messaging.liveness"]
        max_age = float(command[command.index("--max-age") + 1])
        # stale after max_age, then failureThreshold failed probes periodSeconds apart, then the probe's grace
        # (the pod's 60 s is for rollouts: a stuck loop never finishes a warm shutdown): within 2 minutes
        grace = probe["terminationGracePeriodSeconds"]
        assert max_age + probe["periodSeconds"] * probe["failureThreshold"] + grace <= 120


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_hosting_backstops_has_a_backstop_worker(overlay):
    """Issue 21: expiry, payment recovery and the reconciler run on workers of their own, whichever process
    hosts their apps (shop/<app>/schedule.py declares them)."""
    workers = [d for d in of_kind(render(overlay), "Deployment").values() if "worker" in container(d)["command"]]
    kinds = {(plain_env(w)["SHOP_SERVICE"], plain_env(w).get("SHOP_WORKER_QUEUES", "app")) for w in workers}
    hosting = {role for role, _ in kinds if set(owned_apps(role)) & set(BACKSTOP_APPS)}
    assert hosting and {(role, "backstop") for role in hosting} <= kinds


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_as_a_job(overlay):
    (job,) = of_kind(render(overlay), "Job").values()
    assert container(job)["command"][-1] == "migrate_all"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_entry_point_is_exposed(overlay):
    objects = render(overlay)
    entry = ENTRY_POINT[overlay]
    (ingress,) = of_kind(objects, "Ingress").values()
    backends = {path["backend"]["service"]["name"] for rule in ingress["spec"]["rules"]
                for path in rule["http"]["paths"]}
    assert backends == {entry}
    exposure = {name: d["spec"]["template"]["metadata"]["labels"].get("shop/exposure")
                for name, d in of_kind(objects, "Deployment").items()}
    assert [name for name, value in exposure.items() if value == "public"] == [f"shop-{entry}"]
    policies = of_kind(objects, "NetworkPolicy")
    internal = policies["shop-services"]["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    assert internal == {"app.kubernetes.io/part-of": "shop"}
    assert "ingress" not in policies["shop-no-ingress"]["spec"]  # beat and migrations: nothing comes in
    (scrape,) = policies["shop-workers"]["spec"]["ingress"]
    assert scrape["ports"] == [{"port": "metrics"}]


@pytest.mark.parametrize("overlay, scaled", [
    ("monolith", {"shop-monolith"}), ("split", {"shop-gateway", "shop-catalog"}),
    ("hybrid", {"shop-gateway", "shop-users-catalog-orders"})])
def test_autoscaled_roles(overlay, scaled):
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(render(overlay), "HorizontalPodAutoscaler").values()}
    assert targets == scaled


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_only_by_reference_and_the_example_holds_placeholders(overlay):
    objects = render(overlay)
    secret_names = set(of_kind(objects, "Secret"))
    for workload in [*of_kind(objects, "Deployment").values(), *of_kind(objects, "Job").values()]:
        for item in container(workload)["env"]:
            if item["name"].endswith(("_KEY", "_TOKEN", "_DATABASE_URL", "BROKER_URL", "REDIS_URL")):
                assert item["valueFrom"]["secretKeyRef"]["name"] in secret_names, item
    (secret,) = of_kind(objects, "Secret").values()
    values = [base64.b64decode(v).decode() for v in secret["data"].values()]
    assert all("placeholder-replace-me" in value for value in values)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_entry_point_believes_the_ingress_controller_only(overlay):
    """One proxy in front of the entry point, the Ingress controller: one X-Forwarded-For entry is believed."""
    config = next(iter(of_kind(render(overlay), "ConfigMap").values()))["data"]
    assert config["SHOP_TRUSTED_PROXIES"] == "1"


def test_split_services_find_each_other_by_service_name():
    config = next(iter(of_kind(render("split"), "ConfigMap").values()))["data"]
    for app in APPS:
        assert config[f"SHOP_{app.upper()}_URL"] == f"http://{app}:{PORTS[app]}"
        assert app in config["DJANGO_ALLOWED_HOSTS"].split(",")


def test_hybrid_apps_find_the_process_hosting_them_several_at_one_url():
    config = next(iter(of_kind(render("hybrid"), "ConfigMap").values()))["data"]
    for role in roles_of("hybrid"):
        for app in owned_apps(role):
            assert config[f"SHOP_{app.upper()}_URL"] == f"http://{name_of(role)}:{default_port(role)}"
        assert name_of(role) in config["DJANGO_ALLOWED_HOSTS"].split(",")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_process_holds_the_private_keys_of_its_own_apps_only(overlay):
    objects = render(overlay)
    for name, workload in [*of_kind(objects, "Deployment").items(), *of_kind(objects, "Job").items()]:
        role = plain_env(workload)["SHOP_SERVICE"]
        held = {item["name"] for item in container(workload)["env"] if item["name"].endswith("PRIVATE_KEY")}
        apps = owned_apps(role) if role != "monolith" else ()
        jwt = {"SHOP_JWT_PRIVATE_KEY"} if "users" in owned_apps(role) else set()
        assert held == {f"SHOP_{app.upper()}_SERVICE_PRIVATE_KEY" for app in apps} | jwt, name


def test_the_dev_overlay_runs_its_own_backing_services():
    objects = render(DEV_OVERLAY)
    assert set(of_kind(objects, "StatefulSet")) == {"postgres", "rabbitmq", "redis"}
    assert all(s["spec"]["replicas"] == 1 for s in of_kind(objects, "StatefulSet").values())
    (secret,) = of_kind(objects, "Secret").values()
    urls = {k: base64.b64decode(v).decode() for k, v in secret["data"].items() if k.endswith("_URL")}
    assert all("@postgres:5432/" in v for k, v in urls.items() if k.endswith("_DATABASE_URL"))
    assert set(of_kind(objects, "Deployment")) == set(of_kind(render("split"), "Deployment"))
