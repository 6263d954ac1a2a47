"""Boundaries as tests: import contracts, one database per app, narrow client doors, roles install only their app."""
import ast
import copy
import importlib.util
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from django.apps import apps
from django.db import connections, router
from importlinter import api as importlinter
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract

from shop.app_routes import declared
from shop.platform.config.pages import PAGES, SESSION_PAGES
from shop.platform.topology import APPS, ROLES
from tests.role_process import run_in_role

ROOT = Path(__file__).resolve().parent.parent
OWNERS = {"users": {"users", "auth", "contenttypes", "token_blacklist", "admin"}, "catalog": {"catalog"},
          "orders": {"orders"},
          "inventory": {"inventory"}}  # alias -> the app labels whose tables live there
INTERNALS = {f"shop.{app}.{module}" for app in APPS for module in ("models", "services", "selectors")}


def owner_alias(app_label: str) -> str | None:
    return next((alias for alias, labels in OWNERS.items() if app_label in labels), None)


def test_lint_imports_passes():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def import_graph():
    return grimp.build_graph("shop", cache_dir=None)


@pytest.mark.parametrize("importer, imported, broken", [
    ("shop.orders.services", "shop.catalog.client", set()),
    ("shop.orders.services", "shop.catalog.models", {"Apps talk to each other only through shop.<app>.client"}),
    ("shop.inventory.api", "shop.users.selectors", {"Apps talk to each other only through shop.<app>.client"}),
    ("shop.platform.remote.http", "shop.orders.client",
     {"The platform knows no app", "The gateway forwards and falls back knowing no app"}),  # proxy -> http
    ("shop.platform.api.health", "shop.catalog.routes",
     {"The platform knows no app", "The platform names no app's routes or models"}),
    ("shop.gateway.proxy", "shop.catalog.routes", {"The gateway forwards and falls back knowing no app"}),
    ("shop.gateway.urls", "shop.app_routes", set()),
    ("shop.platform.config.stores", "shop.platform.api.throttling",
     {"The platform in layers: a lower layer never imports a higher one"}),
    ("shop.platform.remote.http", "shop.platform.messaging.outbox",
     {"The platform in layers: a lower layer never imports a higher one"}),
    ("shop.platform.errors", "shop.platform.topology",
     {"The platform in layers: a lower layer never imports a higher one"}),
    ("shop.platform.api.health", "shop.platform.messaging.retried", set()),
    ("shop.orders.services", "shop.gateway.last_good", {"Nothing but the gateway's own URLconf and the WSGI entry point import the gateway"}),
])
def test_the_contracts_catch_a_forbidden_import(import_graph, importer, imported, broken):
    """The project's own contracts, checked against its real import graph plus one extra import."""
    config = importlinter.read_configuration(str(ROOT / "pyproject.toml"))
    kinds = {"independence": IndependenceContract, "forbidden": ForbiddenContract, "layers": LayersContract}
    failed = set()
    for options in config["contracts_options"]:
        options = dict(options)
        contract = kinds[options.pop("type")](options.pop("name"), config["session_options"], options)
        graph = copy.deepcopy(import_graph)  # contracts drop their ignored imports from the graph
        graph.add_import(importer=importer, imported=imported)
        if not contract.check(graph, verbose=False).kept:
            failed.add(contract.name)
    assert failed == broken


@pytest.mark.django_db(databases="__all__")
def test_each_database_holds_only_its_apps_tables():
    tables = {alias: set(connections[alias].introspection.table_names()) for alias in [*OWNERS, "default"]}
    assert tables["default"] <= {"django_migrations"}
    for model in apps.get_models(include_auto_created=True):
        alias = owner_alias(model._meta.app_label)
        assert model._meta.db_table in tables[alias], f"{model._meta.label} is missing from {alias}"
    by_table = {m._meta.db_table: m._meta.app_label for m in apps.get_models(include_auto_created=True)}
    for alias in OWNERS:
        strays = {t for t in tables[alias] - {"django_migrations"} if by_table.get(t) not in OWNERS[alias]}
        assert not strays, f"{alias} holds tables of other apps: {strays}"


def test_every_model_is_routed_to_its_apps_alias():
    for model in apps.get_models(include_auto_created=True):
        expected = owner_alias(model._meta.app_label)
        assert expected is not None, f"{model._meta.label} belongs to no app database"
        assert router.db_for_write(model) == router.db_for_read(model) == expected, model._meta.label


def test_the_router_refuses_cross_database_relations_and_migrations():
    models = {label: apps.get_model(label) for label in ("orders.Order", "orders.OrderLine", "inventory.Stock",
                                                         "catalog.Product", "auth.User")}
    assert router.allow_relation(models["orders.Order"](), models["orders.OrderLine"]())
    assert not router.allow_relation(models["orders.Order"](), models["inventory.Stock"]())
    assert not router.allow_relation(models["auth.User"](), models["catalog.Product"]())
    for alias in [*OWNERS, "default"]:
        for label in ("users", "auth", "contenttypes", "catalog", "orders", "inventory"):
            assert router.allow_migrate(alias, label) == (label in OWNERS.get(alias, ())), (alias, label)


def module_level_imports(path: Path) -> set[str]:
    """Modules imported outside function bodies, as absolute dotted names (with each imported name too)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])  # .../client/__init__ -> the package
    found, pending = set(), list(ast.parse(path.read_text()).body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            found.update([base, *(f"{base}.{alias.name}" for alias in node.names)])
        pending.extend(ast.iter_child_nodes(node))
    return found


@pytest.mark.parametrize("app", APPS)
def test_client_doors_import_no_models_services_or_selectors(app):
    imports = module_level_imports(ROOT / "shop" / app / "client" / "__init__.py")
    assert "shop.platform.remote.door" in imports  # the parser sees the module's real imports
    assert not {name for name in imports if any(name.startswith(internal) for internal in INTERNALS)}
    assert not {name for name in imports if name.startswith("django.db")}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_installs_and_configures_only_its_own_app(role, tmp_path):
    code = ("import json; from django.conf import settings as s; "
            "print(json.dumps([s.INSTALLED_APPS, sorted(s.DATABASES), s.ROOT_URLCONF]))")
    installed, databases, urlconf = run_in_role(role, code, tmp_path, timeout=60)
    owned = list(APPS) if role == "monolith" else [role] if role in APPS else []
    shop_apps = [app for app in installed if app.startswith("shop.") and app.count(".") == 1 and app != "shop.platform"]
    assert shop_apps == [f"shop.{app}" for app in owned]
    configs = [app for app in installed if app.startswith("shop.") and app.count(".") > 1]  # e.g. the back office's
    assert {config.split(".")[1] for config in configs} <= set(owned), configs
    assert databases == sorted(["default", *owned])
    assert urlconf == ("gateway_urls" if role == "gateway" else "shop.urls")


def test_the_platform_names_no_apps_routes_or_models():
    """String literals escape import-linter: no route path or model label of any app appears in shop/platform."""
    names = {f"{m._meta.app_label}.{m.__name__}" for m in apps.get_models() if m._meta.app_label in APPS}
    for app in APPS:
        for route in declared(app):
            names.update({route.path, f"/{route.path}", route.template})
    names -= set(APPS)  # "users" and "orders" are paths too, but the platform may know the list of app labels
    for path in (ROOT / "shop" / "platform").rglob("*.py"):
        literals = {node.value for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        assert not literals & names, f"{path.relative_to(ROOT)} names {literals & names}"


def test_no_code_names_a_database_alias():
    """Aliases are decided by the router and settings: `using=`/`database=` never get a string literal."""
    for path in (ROOT / "shop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg in ("using", "database"):
                assert not isinstance(node.value, ast.Constant), f"{path.relative_to(ROOT)}:{node.lineno}"


@pytest.mark.parametrize("app", APPS)
def test_exactly_the_internal_routes_are_not_public(app):
    """The gateway forwards `public` routes; the schema leaves out /internal/: both must mean the same routes."""
    for route in declared(app):
        assert route.public != route.path.startswith("internal/"), route


def _string_literals(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def _written_forms(path: str) -> set[str]:
    """A path as code may write it: with a leading slash, with and without a trailing one, and bare when it has a
    "/". Bare one-word paths ("login") are left out: they are also throttle scopes and app labels."""
    return {f"/{path}", f"/{path}/"} | ({path, f"{path}/"} if "/" in path else set())


def _writers(forms: set[str]) -> set[str]:
    """Modules outside tests (and the bench, a client of the API) that write any of `forms` as a string literal,
    alone or before a query string ("/health/?format=json")."""
    served = [*(ROOT / "shop").rglob("*.py"), *(ROOT / "tools").rglob("*.py"), *ROOT.glob("*.py")]
    return {path.relative_to(ROOT).as_posix() for path in served if "migrations" not in path.parts
            and {literal.partition("?")[0] for literal in _string_literals(path)} & forms}


def test_each_public_path_is_written_in_one_module_only():
    """A public route's path is written only in its app's routes.py: URLconfs, the gateway table and the API root
    derive it."""
    for app in APPS:
        for route in (route for route in declared(app) if route.public):
            forms = _written_forms(route.path) | {route.template, f"{route.template}/"}
            assert _writers(forms) <= {f"shop/{app}/routes.py"}, route.path


@pytest.mark.parametrize("page", [*PAGES.values(), *SESSION_PAGES.values()], ids=lambda page: page.path)
def test_each_site_page_is_written_in_one_module_only(page):
    """The site's own pages (health, schema, docs, the login page, ...) are written only in shop/platform/config/pages.py:
    both URLconfs, the API root and their callers take them from there."""
    writers = _writers(_written_forms(page.path))
    assert writers <= {"shop/platform/config/pages.py"}, writers


def test_a_module_that_repeats_a_site_page_is_found(tmp_path, monkeypatch):
    """The check above can fail: modules writing "/health/" again, alone or with a query string, are named."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "shop" / "platform").mkdir(parents=True)
    (tmp_path / "shop" / "platform" / "pages.py").write_text('PAGE = "health"\n')
    (tmp_path / "gateway_urls.py").write_text('CHECK = "/health/"\n')
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "stack.py").write_text('def probe(url): return f"{url}/health/?format=json"\n')
    assert _writers(_written_forms(PAGES["health"].path)) == {"gateway_urls.py", "tools/stack.py"}
