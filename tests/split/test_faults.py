"""Faults against real split-mode processes: a stopped, a frozen and an impersonated service.

Timings are printed (pytest -s) as figures, never asserted; the tests assert behaviour."""
import os
import signal
import time
import uuid

import jwt
import pytest
import requests
from django.conf import settings

from shop.platform.api.health import REUSE_SECONDS
from tests.conftest import STAFF, running
from tests.contract.client import ApiClient

RESET_SECONDS = 1.0
UPSTREAM_TIMEOUT = 2.0
GATEWAY_TIMEOUT = 3.0
FAIL_MAX = 5


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running("split", tmp_path_factory, extra_env={
        "SHOP_BREAKER_RESET_SECONDS": str(RESET_SECONDS), "SHOP_UPSTREAM_TIMEOUT": str(UPSTREAM_TIMEOUT),
        "SHOP_GATEWAY_TIMEOUT": str(GATEWAY_TIMEOUT),
        "SHOP_BREAKER_FAIL_MAX": str(FAIL_MAX)}) as stack:
        yield stack


@pytest.fixture(scope="module")
def shop(stack):
    """A staff client, a customer client and a stocked product id."""
    staff = ApiClient(stack.url).login(STAFF["username"], STAFF["password"])
    product = staff.post("/products", {"name": "Fault lamp", "price": "5.00", "sku": f"F-{uuid.uuid4().hex[:8]}"})
    staff.post(f"/inventory/{product.json()['id']}", {"quantity": 1000})
    customer = ApiClient(stack.url).register_and_login(f"fault-{uuid.uuid4().hex[:8]}")
    return staff, customer, product.json()["id"]


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, (time.perf_counter() - started) * 1000


def place(customer, product_id):
    return customer.post("/orders", {"items": [{"product_id": product_id, "quantity": 1}]})


def test_stopped_inventory_fails_fast_then_recovers(stack, shop):
    staff, customer, product_id = shop
    assert place(customer, product_id).status_code == 201
    stack.stop_role("inventory")
    stopped_at = time.monotonic()
    try:
        results = [timed(lambda: place(customer, product_id)) for _ in range(FAIL_MAX + 3)]
        for response, _ in results:
            assert response.status_code == 503
            assert response.headers["Content-Type"] == "application/problem+json"
        assert "circuit open" in results[-1][0].json()["detail"]
        assert staff.get(f"/products/{product_id}").status_code == 200  # catalog unaffected
        assert_health_reports_inventory_down(stack, stopped_at)
        print(f"\nfirst 503 after {results[0][1]:.1f} ms; with the circuit open: "
              f"{', '.join(f'{ms:.1f}' for _, ms in results[FAIL_MAX:])} ms")
    finally:
        restarted = time.perf_counter()
        stack.start_role("inventory")
    recovered = poll(lambda: place(customer, product_id).status_code == 201, timeout=RESET_SECONDS + 20)
    print(f"orders work again {(time.perf_counter() - restarted) * 1000:.0f} ms after the restart began")
    assert recovered


def assert_health_reports_inventory_down(stack, stopped_at: float):
    """Readiness is 503 (JSON for clients, the page for browsers) once REUSE_SECONDS have passed since the stop
    (a worker reuses a probe that long, so one made just before the stop may still answer); liveness still 200."""
    time.sleep(max(0.0, stopped_at + REUSE_SECONDS - time.monotonic()))
    as_json = requests.get(f"{stack.url}/health/", headers={"Accept": "application/json"}, timeout=15)
    assert as_json.status_code == 503, as_json.text
    assert {name for name, state in as_json.json().items() if state != "OK"} == {"Upstream(app='inventory')"}
    page = requests.get(f"{stack.url}/health/", headers={"Accept": "text/html"}, timeout=15)
    assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
    assert requests.get(f"{stack.url}/health/live", timeout=15).status_code == 200


def test_frozen_catalog_gives_504_within_the_timeout_and_stale_reads(stack, shop):
    staff, _, product_id = shop
    fresh = staff.get(f"/products/{product_id}")
    assert fresh.status_code == 200 and "X-Shop-Stale" not in fresh.headers
    catalog = stack.processes["catalog"]
    os.killpg(catalog.pid, signal.SIGSTOP)
    try:
        slow, ms = timed(lambda: staff.get(f"/products?page=1&fresh={uuid.uuid4().hex}"))
        stale = staff.get(f"/products/{product_id}")
    finally:
        os.killpg(catalog.pid, signal.SIGCONT)
    print(f"\n504 after {ms:.0f} ms (gateway timeout {GATEWAY_TIMEOUT} s)")
    assert slow.status_code == 504
    assert slow.json()["status"] == 504
    assert stale.status_code == 200 and stale.headers["X-Shop-Stale"] == "1"  # the last good copy
    assert stale.json() == fresh.json()


def test_stale_catalog_read_when_catalog_is_down(stack, shop):
    staff, _, product_id = shop
    fresh = staff.get(f"/products/{product_id}")
    stack.stop_role("catalog")
    try:
        stale = staff.get(f"/products/{product_id}")
        never_seen = staff.get(f"/products/{product_id}?page_size=3")
    finally:
        stack.start_role("catalog")
    assert stale.status_code == 200 and stale.headers["X-Shop-Stale"] == "1"
    assert stale.json() == fresh.json()
    assert never_seen.status_code == 503


@pytest.mark.parametrize("credential", [None, "Service not-a-token", "Bearer abc",
                                        "Service eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.forged"])
def test_internal_routes_require_a_service_credential(stack, credential):
    headers = {"Authorization": credential} if credential else {}
    response = requests.post(f"{stack.role_url('inventory')}/internal/inventory/reservations", headers=headers,
                             json={"order_id": 1, "lines": [{"product_id": 1, "quantity": 1}]}, timeout=10)
    assert response.status_code in (401, 403)
    assert response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("issuer, audience, status", [("orders", "catalog", 401), ("catalog", "inventory", 403),
                                                       ("orders", "inventory", 400)])
def test_a_token_for_another_audience_or_from_a_caller_not_allowed_is_refused(stack, issuer, audience, status):
    """Signed with the issuer's own (dev) service key: only the audience and the caller decide."""
    claims = {"iss": issuer, "aud": audience, "exp": int(time.time()) + 60}
    token = jwt.encode(claims, settings.SHOP_SERVICE_PRIVATE_KEYS[issuer], algorithm="EdDSA")
    response = requests.post(f"{stack.role_url('inventory')}/internal/inventory/reservations",
                             headers={"Authorization": f"Service {token}"}, json={}, timeout=10)
    assert response.status_code == status  # 400: let in, and the empty body is refused
    if status == 401:
        assert response.json()["detail"] == "Invalid service credentials."


@pytest.mark.parametrize("path", ["/internal/inventory/reservations", "/internal/catalog/products?ids=1",
                                  "/admin/", "/nope", "/products/1/extra", "/inventory"])
def test_gateway_serves_only_its_route_table(stack, path):
    response = requests.get(stack.url + path, timeout=10)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def poll(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False
