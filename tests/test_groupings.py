"""SHOP_SERVICE names any group of apps: a process hosts exactly the apps it lists (code, tables, routes, queues,
doors, keys), a bad value stops it naming what is allowed. Settings are built per role in a subprocess."""
import jwt
import pytest

from shop.app_routes import declared
from shop.inventory.routes import ROUTES as INVENTORY_ROUTES
from shop.platform.config.routes import path_to
from shop.platform.remote.discovery import ConsulDiscovery
from shop.platform.remote.service_auth import service_token
from shop.platform.topology import APPS, owned_apps, role_named
from tests.test_production_settings import filled_env_example, manage, refused
from tests.role_process import run_in_role
from tools.stack import without_others_private_keys

GROUPS = ["users,catalog,orders", "inventory", "catalog,inventory"]
PROBE = """
import json
from django.conf import settings as s
from django.urls import get_resolver
from importlib import import_module
names = sorted(name for name in get_resolver().reverse_dict if isinstance(name, str))  # outside namespaces
clients = {app: import_module(f"shop.{app}.client") for app in s.SHOP_SERVICE_URLS}
doors = {app: type(c.DOOR.client()).__name__ for app, c in clients.items() if hasattr(c, "DOOR")}
print(json.dumps({"role": s.SHOP_SERVICE, "installed": [a for a in s.INSTALLED_APPS if a.startswith("shop.")],
                  "databases": sorted(s.DATABASES), "routes": names, "doors": doors,
                  "queues": [q.name for q in s.CELERY_TASK_QUEUES], "keys": sorted(s.SHOP_SERVICE_PRIVATE_KEYS),
                  "jwt_private": bool(s.SIMPLE_JWT["SIGNING_KEY"]), "port": s.SHOP_ADVERTISE_PORT,
                  "beat_queues": sorted({s.CELERY_TASK_ROUTES[e["task"].split(".")[0] + ".*"]["queue"]
                                         for e in s.CELERY_BEAT_SCHEDULE.values()})}))
"""


def probe(role: str, tmp_path, **env_vars: str) -> dict:
    return run_in_role(role, "import django; django.setup()\n" + PROBE, tmp_path, timeout=60, **env_vars)


@pytest.mark.parametrize("value, complaint", [
    ("users,bogus", "'bogus' is not an app"),
    ("users,users", "users is listed twice"),
    ("users,,orders", "has an empty item"),
    ("", "has an empty item"),
    ("monolith,users", "monolith and gateway stand alone"),
    ("gateway,inventory", "monolith and gateway stand alone"),
])
def test_a_bad_value_is_refused_naming_what_is_allowed(value, complaint):
    with pytest.raises(ValueError) as caught:
        role_named(value)
    assert complaint in str(caught.value)
    assert "monolith, gateway, or one or more of users, catalog, orders, inventory" in str(caught.value)


def test_a_bad_value_stops_the_process_at_start_up():
    result = manage("check", role="users,bogus", DJANGO_DEBUG="1")
    assert result.returncode != 0 and "'bogus' is not an app" in result.stderr


@pytest.mark.parametrize("value, role", [
    ("orders,users", "users,orders"), (" inventory , catalog", "catalog,inventory"),
    ("users,catalog,orders,inventory", "users,catalog,orders,inventory"),
    ("monolith", "monolith"), ("gateway", "gateway"), ("orders", "orders")])
def test_a_group_is_named_in_the_order_of_the_apps(value, role):
    assert role_named(value) == role


@pytest.mark.parametrize("role", GROUPS)
def test_a_group_hosts_exactly_its_apps(role, tmp_path):
    seen = probe(role, tmp_path)
    hosted = owned_apps(role)
    assert seen["role"] == role
    assert seen["installed"] == [f"shop.{app}" for app in hosted] + ["shop.platform"]
    assert seen["databases"] == sorted(["default", *hosted])
    assert seen["doors"] == {app: "LocalClient" if app in hosted else "HttpClient" for app in APPS if app != "users"}
    assert seen["queues"] == list(hosted)
    expected_routes = {route.name for app in hosted for route in declared(app)}  # public and internal
    others = {route.name for app in APPS if app not in hosted for route in declared(app)} - expected_routes
    assert expected_routes <= set(seen["routes"]) and not others & set(seen["routes"])
    assert seen["port"] == {"users": 5001, "catalog": 5002, "inventory": 5004}[hosted[0]]


def test_the_one_beat_schedules_every_apps_periodic_tasks_onto_the_apps_queues(tmp_path):
    """The beat is one per shop, whatever process it runs beside: each app's periodic tasks go to its queue, which
    the process hosting the app consumes."""
    for role in ("monolith", "users,catalog,orders", "inventory"):
        assert probe(role, tmp_path)["beat_queues"] == ["inventory", "orders"]


def test_a_group_with_users_issues_user_tokens(tmp_path):
    assert probe("users,catalog", tmp_path)["jwt_private"]
    assert not probe("catalog,orders", tmp_path)["jwt_private"]


@pytest.mark.parametrize("role", GROUPS)
def test_production_checks_pass_for_a_group_holding_its_apps_private_keys(role):
    result = manage("check", "--deploy", "--fail-level", "WARNING", role=role)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_group_is_refused_another_apps_private_key():
    key = filled_env_example()["SHOP_INVENTORY_SERVICE_PRIVATE_KEY"]
    result = manage("check", role="users,catalog,orders", SHOP_INVENTORY_SERVICE_PRIVATE_KEY=key)
    assert refused(result, "SHOP_INVENTORY_SERVICE_PRIVATE_KEY")


def test_a_group_needs_each_of_its_apps_private_keys():
    result = manage("check", role="users,catalog,orders", drop=("SHOP_CATALOG_SERVICE_PRIVATE_KEY",))
    assert refused(result, "SHOP_CATALOG_SERVICE_PRIVATE_KEY")


def test_a_group_holds_only_its_apps_private_keys_in_production(tmp_path):
    env = without_others_private_keys(filled_env_example(), "users,catalog,orders")  # as tools/stack.py passes it
    assert {k for k in env if k.endswith("_PRIVATE_KEY")} == {
        "SHOP_JWT_PRIVATE_KEY", *(f"SHOP_{app.upper()}_SERVICE_PRIVATE_KEY" for app in ("users", "catalog", "orders"))}
    seen = probe("users,catalog,orders", tmp_path, **env)
    assert seen["keys"] == ["catalog", "orders", "users"]


@pytest.mark.parametrize("route, caller", [("internal-stock", "catalog"), ("internal-reservations", "orders"),
                                           ("internal-release", "orders")])
def test_a_group_signs_each_call_as_the_app_the_endpoint_admits(settings, route, caller):
    settings.SHOP_SERVICE = "users,catalog,orders"
    path = path_to(INVENTORY_ROUTES, route, product_id=1, order_id=1)
    token = service_token(audience="inventory", callers=path.callers)
    public_key = settings.SHOP_SERVICE_PUBLIC_KEYS[caller]
    assert jwt.decode(token, public_key, algorithms=["EdDSA"], audience="inventory")["iss"] == caller


def test_a_group_registers_in_consul_under_each_of_its_apps(settings):
    settings.SHOP_SERVICE = "users,catalog,orders"
    assert ConsulDiscovery.names() == ("users", "catalog", "orders")
    settings.SHOP_SERVICE = "gateway"
    assert ConsulDiscovery.names() == ("gateway",)
