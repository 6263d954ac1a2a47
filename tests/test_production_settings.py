"""Production is the default: missing or placeholder secrets stop every role, and a filled-in
.env.example passes `check --deploy --fail-level WARNING` for every role."""
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from shop.platform.config.secrets import dev_service_key_pair, example_values
from shop.platform.topology import ROLES, issues_user_tokens
from tools.stack import production_env, without_others_private_keys

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDERS = example_values(ROOT / ".env.example")


@cache
def filled_env_example() -> dict[str, str]:
    """.env.example's settings with each placeholder replaced by a real value."""
    real = production_env()
    real.pop("DJANGO_SECURE_SSL_REDIRECT")  # production keeps its default: redirect to HTTPS
    filled = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, separator, value = line.partition("=")
        if separator and not name.startswith("#") and not name.startswith(("POSTGRES_", "RABBITMQ_")):
            filled[name] = real.get(name, value)
    assert not set(filled.values()) & {v for v in PLACEHOLDERS if "placeholder" in v}, "a placeholder is left"
    return filled


def manage(*args: str, role: str = "monolith", drop: tuple[str, ...] = (), **overrides: str):
    return python("manage.py", *args, role=role, drop=drop, **overrides)


def python(*args: str, role: str = "monolith", drop: tuple[str, ...] = (), **overrides: str):
    """`python *args` in the repository with .env.example filled in (production), as role."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHOP_"))}
    env.update(without_others_private_keys(filled_env_example(), role), SHOP_SERVICE=role,
               SHOP_DATA_DIR=str(ROOT / "data" / "prod-check"))
    env.update(overrides)
    for name in drop:
        env.pop(name, None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def refused(result, variable: str) -> bool:
    return result.returncode != 0 and "ImproperlyConfigured" in result.stderr and variable in result.stderr


@pytest.mark.parametrize("role", ROLES)
def test_check_deploy_passes_for_every_role_with_the_documented_production_settings(role):
    result = manage("check", "--deploy", "--fail-level", "WARNING", role=role)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variable, role", [
    ("DJANGO_SECRET_KEY", "monolith"), ("DJANGO_SECRET_KEY", "gateway"), ("SHOP_ORDERS_SERVICE_PRIVATE_KEY", "orders"),
    ("SHOP_CATALOG_SERVICE_PUBLIC_KEY", "inventory"), ("SHOP_JWT_PRIVATE_KEY", "users"),
    ("SHOP_JWT_PUBLIC_KEY", "catalog"),
])
def test_a_missing_secret_stops_the_process_naming_it(variable, role):
    assert refused(manage("check", role=role, drop=(variable, "DJANGO_DEBUG")), variable)


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "SHOP_USERS_SERVICE_PRIVATE_KEY",
                                      "SHOP_ORDERS_SERVICE_PUBLIC_KEY", "SHOP_JWT_PRIVATE_KEY", "SHOP_JWT_PUBLIC_KEY"])
def test_the_placeholder_of_env_example_is_refused(variable):
    placeholder = _example_value(variable)
    assert "placeholder" in placeholder
    assert refused(manage("check", role="users", **{variable: placeholder}), variable)


@pytest.mark.parametrize("variable, value", [
    ("DJANGO_SECRET_KEY", "x" * 49),
    ("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key-never-use-in-production-0123456789"),
    ("SHOP_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\\nnot a key\\n-----END PUBLIC KEY-----"),
    ("SHOP_USERS_SERVICE_PRIVATE_KEY", dev_service_key_pair("users")[0]),  # known to anyone with the code
])
def test_short_dev_or_malformed_secrets_are_refused(variable, value):
    assert refused(manage("check", role="users", **{variable: value}), variable)


def test_only_the_token_issuers_may_hold_the_private_key():
    private_key = filled_env_example()["SHOP_JWT_PRIVATE_KEY"]
    assert refused(manage("check", role="orders", SHOP_JWT_PRIVATE_KEY=private_key), "SHOP_JWT_PRIVATE_KEY")
    assert not issues_user_tokens("orders")


@pytest.mark.parametrize("role", ["orders", "gateway", "monolith"])
def test_a_service_private_key_is_refused_anywhere_but_its_own_service(role):
    private_key = filled_env_example()["SHOP_CATALOG_SERVICE_PRIVATE_KEY"]
    assert refused(manage("check", role=role, SHOP_CATALOG_SERVICE_PRIVATE_KEY=private_key),
                   "SHOP_CATALOG_SERVICE_PRIVATE_KEY")


def test_dev_mode_is_explicit_and_needs_no_secrets():
    variables = tuple(name for name in filled_env_example() if name.endswith("_KEY"))
    assert manage("check", role="users", drop=variables, DJANGO_DEBUG="1").returncode == 0
    assert refused(manage("check", role="users", drop=(*variables, "DJANGO_DEBUG")), "DJANGO_SECRET_KEY")


def _example_value(variable: str) -> str:
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith(f"{variable}="):
            return line.partition("=")[2]
    raise AssertionError(f"{variable} is not in .env.example")


K8S_EXAMPLE = ROOT / "deploy" / "k8s" / "base" / "secrets.example.env"
K8S_TOKEN = next(line.partition("=")[2] for line in K8S_EXAMPLE.read_text().splitlines()
                 if line.startswith("SHOP_METRICS_TOKEN="))


@pytest.mark.parametrize("value", ["", K8S_TOKEN, "placeholder-" + "x" * 40, "short"])
def test_metrics_need_a_real_token_in_production(value):
    """/metrics is on by default: production refuses to start without SHOP_METRICS_TOKEN, with the
    Kubernetes example's placeholder (or any value that says it is one) or with a short one."""
    assert refused(manage("check", SHOP_METRICS_TOKEN=value), "SHOP_METRICS_TOKEN")


def test_with_metrics_off_production_needs_no_token():
    assert manage("check", SHOP_METRICS="0", SHOP_METRICS_TOKEN="").returncode == 0


def test_a_production_process_without_collected_static_files_refuses_to_start(tmp_path):
    """Manifest storage cannot name a static file before `collectstatic`: every page would be a 500, so the
    WSGI application (runserver) and the web server (shop.serve) refuse to start, naming the command; dev mode
    needs none."""
    empty = str(tmp_path / "static")
    for command in (("-c", "import shop.wsgi"), ("-m", "shop.serve")):
        result = python(*command, role="gateway", DJANGO_STATIC_ROOT=empty)
        assert result.returncode != 0 and "python manage.py collectstatic" in result.stderr, (command, result.stderr)
    assert python("-c", "import shop.wsgi", role="gateway", DJANGO_STATIC_ROOT=empty, DJANGO_DEBUG="1").returncode == 0
