"""Shared fixtures. Live stacks are real processes on loopback (tools/stack.py).

With SHOP_TEST_POSTGRES_URL, SHOP_TEST_BROKER_URL and SHOP_TEST_REDIS_URL set (make test-services),
stacks use one PostgreSQL database per app, RabbitMQ with real Celery workers, and Redis for breaker
state and the gateway cache; otherwise SQLite files and the embedded brokers (in-process tasks for
the monolith, kombu's filesystem transport for split)."""
import contextlib
import itertools
import os
import uuid

import pytest

from tools.stack import Stack, port_free, ports_from

pytest_plugins = ["tests.unit_fixtures"]  # the in-process fixtures; tests/contract/conftest.py overrides some

POSTGRES_URL = os.environ.get("SHOP_TEST_POSTGRES_URL", "")
BROKER_URL = os.environ.get("SHOP_TEST_BROKER_URL", "")
REDIS_URL = os.environ.get("SHOP_TEST_REDIS_URL", "")
# Every test client comes from 127.0.0.1: per-address and per-user rates are lifted (their own tests set
# them low); the per-username login rate keeps its default (tests/contract/test_throttling.py).
LOOSE_THROTTLES = {f"SHOP_THROTTLE_{scope}": "100000/min" for scope in ("LOGIN", "REGISTER", "REFRESH", "ORDER_PLACE")}
MAX_PENDING_ORDERS = 50  # per customer in the live stacks: room for session-scoped customers' pending orders
HOLD_PRODUCT_UNITS = 60  # units of a product one customer may hold unpaid there: above MAX_PENDING_ORDERS orders of 1
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"  # PBKDF2 costs 0.5 s a login here
STOREFRONT = "https://storefront.example"  # the one origin allowed by CORS in test stacks
STAFF = {"username": "staff", "password": "staff-Passw0rd!", "email": "staff@example.com"}
# Test ports stay below the kernel's ephemeral range (32768+), where outgoing connections take theirs.
_port_bases = itertools.count(20000 + os.getpid() % 97 * 100, 10)


def _free_port_base() -> int:
    """A base port whose next five ports are all free on loopback."""
    for base in _port_bases:
        if base + 5 >= 32768:
            break
        if all(port_free(base + offset) for offset in range(5)):
            return base
    raise RuntimeError("no free test ports below 32768")


@pytest.fixture(autouse=True)
def unhashed_static_files(settings):
    """pytest-django turns DEBUG off, where hashed static names need `collectstatic`: in-process tests that
    render pages (admin, browsable API) use plain names; tests/platform/test_static.py checks the real thing."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@contextlib.contextmanager
def running(topology: str, tmp_path_factory, **options):
    """A started stack on free test ports with a staff account; stopped and cleaned up on exit."""
    data_dir = tmp_path_factory.mktemp(f"{topology}-{uuid.uuid4().hex[:6]}")
    base = _free_port_base()
    # Connections closed after each request: several stacks share one PostgreSQL (max_connections 100).
    options["extra_env"] = {"DJANGO_PASSWORD_HASHERS": FAST_HASHER, "SHOP_DB_CONN_MAX_AGE": "0", **LOOSE_THROTTLES,
                            "SHOP_MAX_PENDING_ORDERS": str(MAX_PENDING_ORDERS),
                            "SHOP_HOLD_PRODUCT_UNITS": str(HOLD_PRODUCT_UNITS), "DJANGO_CORS_ALLOWED_ORIGINS": STOREFRONT,
                            **options.get("extra_env", {})}
    options.setdefault("broker_url", BROKER_URL)
    options.setdefault("redis_url", REDIS_URL)  # the nemesis brings a Redis of its own
    stack = Stack(topology, data_dir, ports=ports_from(base), postgres_url=POSTGRES_URL, namespace=f"{data_dir.name}-",
                  **options)
    try:
        stack.start()
        stack.manage(stack.host_of("users"), "createsuperuser", "--noinput", env={
            "DJANGO_SUPERUSER_USERNAME": STAFF["username"], "DJANGO_SUPERUSER_PASSWORD": STAFF["password"],
            "DJANGO_SUPERUSER_EMAIL": STAFF["email"]})
        yield stack
    finally:
        stack.stop()
        stack.clean_up()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each test's call report on its item, so fixtures can act on a failure (browser screenshots)."""
    outcome = yield
    if call.when == "call":
        item.rep_call = outcome.get_result()
