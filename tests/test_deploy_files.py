"""Deployment files: docker-compose.yml profiles and roles, the Postgres init script, the Dockerfile."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from shop.platform.topology import APPS, PORTS, issues_user_tokens
from tools import compose as compose_tool

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
# role -> (compose service, profile)
ROLES = {"monolith": ("shop", "monolith"), "gateway": ("gateway", "split")} | {app: (app, "split") for app in APPS}
INFRA = ("postgres", "rabbitmq", "redis")
SECRETS = ("DJANGO_SECRET_KEY", "SHOP_JWT_PUBLIC_KEY", "SHOP_METRICS_TOKEN",
           *(f"SHOP_{app.upper()}_SERVICE_PUBLIC_KEY" for app in APPS))


def env(name: str) -> dict:
    return SERVICES[name].get("environment", {})


def database_urls(name: str) -> dict:
    return {key: value for key, value in env(name).items() if key.endswith("_DATABASE_URL")}


def is_one_shot(service: dict) -> bool:
    return "migrate_all" in service.get("command", [])


def instructions(keyword: str) -> list[str]:
    """Arguments of every Dockerfile instruction `keyword`, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in text.splitlines() if line.upper().startswith(keyword + " ")]


@pytest.mark.parametrize("role", ROLES)
def test_role_runs_from_the_shared_image_in_its_profile(role):
    name, profile = ROLES[role]
    service = SERVICES[name]
    assert service["profiles"] == [profile]
    assert (service["build"], service["image"]) == (SERVICES["shop"]["build"], SERVICES["shop"]["image"])
    assert "command" not in service, "web roles run the image's CMD (granian)"
    assert env(name)["SHOP_SERVICE"] == role


@pytest.mark.parametrize("role", ["monolith", *APPS])
def test_role_has_a_migrate_one_shot_with_its_environment(role):
    name, profile = ROLES[role]
    migrate = SERVICES[f"{name}-migrate"]
    assert is_one_shot(migrate) and migrate["profiles"] == [profile]
    assert migrate["environment"] == env(name)
    assert SERVICES[name]["depends_on"][f"{name}-migrate"] == {"condition": "service_completed_successfully"}


def test_monolith_uses_every_app_database():
    assert database_urls("shop") == {f"{app.upper()}_DATABASE_URL": database_urls(app)[f"{app.upper()}_DATABASE_URL"]
                                     for app in APPS}


@pytest.mark.parametrize("app", APPS)
def test_split_service_sees_only_its_own_database(app):
    urls = database_urls(app)
    assert list(urls) == [f"{app.upper()}_DATABASE_URL"]
    assert urls[f"{app.upper()}_DATABASE_URL"].startswith(f"postgres://shop_{app}:${{{app.upper()}_DB_PASSWORD:?")
    assert urls[f"{app.upper()}_DATABASE_URL"].endswith(f"@postgres:5432/shop_{app}")


def test_gateway_has_no_database_and_knows_every_service():
    assert database_urls("gateway") == {}
    for app in APPS:
        assert env("gateway")[f"SHOP_{app.upper()}_URL"] == f"http://{app}:{PORTS[app]}"
    assert {app: {"condition": "service_healthy"} for app in APPS}.items() <= SERVICES["gateway"]["depends_on"].items()


@pytest.mark.parametrize("name, role", [("shop-worker", "monolith"), ("orders-worker", "orders"),
                                        ("inventory-worker", "inventory")])
def test_workers_run_no_beat(name, role):
    command = SERVICES[name]["command"]
    assert command[:4] == ["celery", "-A", "shop", "worker"] and "-B" not in command and "--beat" not in command
    assert env(name) == env(ROLES[role][0])
    check = SERVICES[name]["healthcheck"]  # issue 21: a worker alive but no longer consuming is killed, and restarted
    assert check["test"] == ["CMD", "python", "-m", "shop.platform.messaging.liveness", "--max-age", "60",
                             "--progress-age", "120", "--kill"]
    assert SERVICES[name]["init"] is True  # so the worker is not PID 1, which SIGKILL cannot reach from inside
    assert SERVICES[name]["restart"] == "unless-stopped"


# A beat per role with a schedule (shop/<app>/schedule.py): the monolith's, and orders' and inventory's in split.
BEATS = {"monolith": {"shop-beat": "monolith"}, "split": {"orders-beat": "orders"}}  # one beat schedules every app


@pytest.mark.parametrize("profile", BEATS)
def test_one_beat_in_its_own_container(profile):
    beats = [name for name, service in SERVICES.items()
             if service.get("command", [])[:4] == ["celery", "-A", "shop", "beat"] and profile in service["profiles"]]
    assert beats == list(BEATS[profile])
    for name, role in BEATS[profile].items():
        assert env(name) == env(ROLES[role][0])


@pytest.mark.parametrize("name", [name for name, service in SERVICES.items() if "build" in service])
def test_app_services_run_production_settings_with_secrets_from_env(name):
    assert env(name)["DJANGO_DEBUG"] == "0"
    assert env(name)["DJANGO_ALLOWED_HOSTS"]
    for secret in SECRETS:
        assert re.fullmatch(rf"\$\{{{secret}:\?[^}}]+\}}", env(name)[secret])


@pytest.mark.parametrize("name", [name for name, service in SERVICES.items() if "build" in service])
def test_only_the_token_issuers_get_the_private_key(name):
    issues_tokens = issues_user_tokens(env(name)["SHOP_SERVICE"])
    assert ("SHOP_JWT_PRIVATE_KEY" in env(name)) == issues_tokens


@pytest.mark.parametrize("name", [name for name, service in SERVICES.items() if "build" in service])
def test_a_service_gets_its_own_service_private_key_and_no_other(name):
    role = env(name)["SHOP_SERVICE"]
    private_keys = {key for key in env(name) if key.endswith("_SERVICE_PRIVATE_KEY")}
    assert private_keys == ({f"SHOP_{role.upper()}_SERVICE_PRIVATE_KEY"} if role in APPS else set())


@pytest.mark.parametrize("name", [name for name, service in SERVICES.items() if "build" in service])
def test_no_forwarded_address_is_believed_from_the_published_port(name):
    """Compose publishes the entry point with no proxy in front: no X-Forwarded-For entry is the client's
    unless .env says a proxy was put there (split services still believe the gateway: settings.py)."""
    assert env(name)["SHOP_TRUSTED_PROXIES"] == "${SHOP_TRUSTED_PROXIES:-0}"


def test_redis_requires_a_password_that_every_role_sends():
    redis = SERVICES["redis"]
    assert "--requirepass" in " ".join(redis["command"])
    assert redis["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    for name in (name for name, service in SERVICES.items() if "build" in service):
        assert env(name)["SHOP_REDIS_URL"].startswith("redis://:${REDIS_PASSWORD:?")


@pytest.mark.parametrize("name", [name for name, service in SERVICES.items() if not is_one_shot(service)])
def test_every_long_running_service_has_a_health_check(name):
    service = SERVICES[name]
    own = service.get("healthcheck", {})
    if service.get("command", [])[:4] == ["celery", "-A", "shop", "beat"]:
        return  # beat serves nothing and answers no ping; restarted if it exits
    runs_image_cmd = "build" in service and "command" not in service  # the Dockerfile HEALTHCHECK applies
    assert (own.get("test") and not own.get("disable")) or (runs_image_cmd and not own)


@pytest.mark.parametrize("name", [name for name, service in SERVICES.items() if "depends_on" in service])
def test_depends_on_waits_for_health_or_completion(name):
    for upstream, rule in SERVICES[name]["depends_on"].items():
        expected = "service_completed_successfully" if is_one_shot(SERVICES[upstream]) else "service_healthy"
        assert rule == {"condition": expected}, f"{name} -> {upstream}"
    if not is_one_shot(SERVICES[name]) and name != "gateway":
        assert set(INFRA) <= set(SERVICES[name]["depends_on"])


def test_only_the_entry_points_publish_a_port():
    published = {name: service["ports"] for name, service in SERVICES.items() if "ports" in service}
    entry = ["${SHOP_HTTP_PORT:-8000}:8000"]
    assert published == {"shop": entry, "gateway": entry, "consul": ["127.0.0.1:8500:8500"]}


@pytest.mark.parametrize("name, official", [("postgres", "postgres:15"), ("rabbitmq", "rabbitmq:3.13"),
                                            ("redis", "redis:7-alpine")])
def test_infra_images_are_the_official_ones_unless_overridden(name, official):
    variable = f"{name.upper()}_IMAGE"
    assert SERVICES[name]["image"] == f"${{{variable}:-{official}}}"
    local = (ROOT / "deploy" / "images" / "local.env").read_text()
    assert re.search(rf"^{variable}=localhost/shop-{name}:local$", local, re.MULTILINE)


def test_infra_in_every_profile_and_consul_under_its_own():
    for name in INFRA:
        assert "profiles" not in SERVICES[name]
    assert SERVICES["consul"]["profiles"] == ["consul"]
    assert "-dev" in SERVICES["consul"]["command"]


def test_postgres_init_creates_one_database_per_app():
    sql = (ROOT / "docker" / "postgres-init.sql").read_text()
    assert set(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+)", sql, re.IGNORECASE)) == {
        (f"shop_{app}", f"shop_{app}") for app in APPS}, "each database is owned by its app's own role"
    assert set(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)'", sql)) == {
        (f"shop_{app}", f"{app}_password") for app in APPS}
    revoked = re.search(r"REVOKE ALL ON DATABASE ([\w, ]+) FROM PUBLIC", sql).group(1)
    assert {name.strip() for name in revoked.split(",")} == {f"shop_{app}" for app in APPS}
    for app in APPS:
        assert SERVICES["postgres"]["environment"][f"{app.upper()}_DB_PASSWORD"].startswith(
            f"${{{app.upper()}_DB_PASSWORD:?")
    assert any(volume.startswith("./docker/postgres-init.sql:/docker-entrypoint-initdb.d/")
               for volume in SERVICES["postgres"]["volumes"])


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "deploy/images/postgres/Dockerfile",
                                        "deploy/images/rabbitmq/Dockerfile", "deploy/images/redis/Dockerfile"])
def test_dockerfiles_pass_hadolint(dockerfile):
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(ROOT / dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_granian_as_non_root_with_a_health_check():
    users = instructions("USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "/health/" in instructions("HEALTHCHECK")[-1]
    assert json.loads(instructions("CMD")[-1]) == ["python", "-m", "shop.serve"]


def test_dockerfile_collects_static_files_into_the_image():
    assert any("manage.py collectstatic --noinput" in run for run in instructions("RUN"))


def test_dockerfile_builds_on_any_python_base_into_a_venv():
    assert DOCKERFILE.index("ARG BASE_IMAGE=python:3.11") < DOCKERFILE.index("FROM ${BASE_IMAGE}")
    assert "python3 -m venv" in DOCKERFILE and "PATH=/opt/venv/bin:$PATH" in DOCKERFILE


@pytest.mark.parametrize("profile", ["monolith", "split"])
def test_compose_tool_starts_every_service_of_the_profile_after_its_upstreams(profile):
    selected = compose_tool.services(profile, [ROOT / "docker-compose.yml"])
    order = [name for batch in compose_tool.start_batches(selected) for name in batch]
    assert set(order) == {name for name, service in SERVICES.items() if profile in service.get("profiles", [profile])}
    for name in order:
        assert all(order.index(upstream) < order.index(name) for upstream in selected[name].get("depends_on", {}))
