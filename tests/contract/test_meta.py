"""The API's own surface: root, health, schema, docs, unknown routes, request ids, error format."""
import json
import re

import pytest
import yaml

from tests.contract.client import unique
from tests.problems import assert_problem
from tests.test_schema import COMMITTED

PUBLIC_PATHS = ["/register", "/login", "/users", "/users/{id}", "/products", "/products/{id}", "/orders",
                "/orders/{id}", "/orders/{id}/pay", "/orders/{id}/cancel", "/inventory/{product_id}"]


def test_root_lists_the_public_routes(api):
    response = api.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    routes = response.json()
    assert {"register", "login", "users", "products", "orders", "health", "schema", "docs"} <= set(routes)
    assert routes["products"].endswith("/products")


@pytest.mark.parametrize("path", ["/health/?format=json", "/health?format=json"])
def test_health_reports_every_check_ok(api, operators, path):
    response = api.get(path, headers=operators)
    assert response.status_code == 200, response.text
    checks = response.json()
    assert checks and set(checks.values()) == {"OK"}


@pytest.mark.parametrize("path", ["/health/live", "/health/live/"])
def test_liveness_answers_200(api, path):
    response = api.get(path)
    assert response.status_code == 200 and response.json() == {"status": "alive"}


def test_health_has_a_human_page(api, operators):
    response = api.get("/health/", headers=operators)
    assert response.status_code == 200 and "text/html" in response.headers["Content-Type"]


@pytest.mark.parametrize("path", ["/schema/", "/schema", "/schema/?format=json"])
def test_schema_describes_the_public_api_only(api, path):
    response = api.get(path)
    assert response.status_code == 200, response.text
    try:
        schema = json.loads(response.text)
    except ValueError:
        schema = yaml.safe_load(response.text)
    assert schema["openapi"].startswith("3.")
    paths = {re.sub(r"\{[^}]+\}", "{id}", p.rstrip("/")) for p in schema["paths"]}
    assert {re.sub(r"\{[^}]+\}", "{id}", p) for p in PUBLIC_PATHS} <= paths
    assert not [p for p in schema["paths"] if p.startswith("/internal")]


def test_schema_is_the_committed_one_in_both_topologies(api):
    assert yaml.safe_load(api.get("/schema/").text) == yaml.safe_load(COMMITTED.read_text())


@pytest.mark.parametrize("page", ["/docs/", "/redoc/"])
def test_docs_are_an_html_page(api, page):
    response = api.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["Content-Type"]


@pytest.mark.parametrize("page", ["/products", "/docs/", "/redoc/"])
def test_pages_get_every_asset_from_the_shop(api, page):
    html = api.get(page, headers={"Accept": "text/html"}).text
    assets = re.findall(r'(?:href|src)="([^"#]+\.(?:css|js|png))"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        assert api.get(asset).status_code == 200, asset


@pytest.mark.parametrize("method, path", [
    ("GET", "/nope"), ("GET", "/products/1/nope"), ("POST", "/orders/1/refund"), ("GET", "/api/products"),
    ("DELETE", "/users/me/extra"), ("GET", "/products//"), ("GET", "/inventory"), ("PATCH", "/assets/x.css"),
])
def test_unknown_paths_are_404_problems(someone, method, path):
    assert_problem(someone.request(method, path), 404)


@pytest.mark.parametrize("path", ["/internal/catalog/products?ids=1", "/internal/orders/lookup",
                                  "/internal/inventory/stock/1", "/internal/inventory/reservations"])
def test_internal_routes_are_not_public(api, someone, path):
    """Neither the gateway nor the monolith mounts them: 404, whoever asks."""
    for client in (api, someone):
        assert_problem(client.get(path), 404)


@pytest.mark.parametrize("method, path, expected", [
    ("PUT", "/products/{product}", 405), ("DELETE", "/orders", 405), ("GET", "/orders/{order}/pay", 405),
    ("POST", "/users/me", 405), ("GET", "/register", 405),
])
def test_unsupported_methods_are_405_with_allow(someone, staff, product, method, path, expected):
    order = someone.place_ok({product["id"]: 1})
    client = staff if "products" in path else someone
    response = client.request(method, path.format(product=product["id"], order=order["id"]))
    assert_problem(response, expected)
    assert method not in response.headers.get("Allow", method)


def _writes(api, staff, someone, product):
    """(name, request) pairs for write requests, successful and failing, that each take extra headers."""
    return {
        "register": lambda h: api.post("/register", {"username": (n := unique("rid")), "email": f"{n}@example.com",
                                                      "password": "c0rrect-Horse-battery"}, headers=h),
        "create-product": lambda h: staff.post("/products", {"name": "R", "price": "1.00", "sku": unique("R")},
                                               headers=h),
        "add-stock": lambda h: staff.post(f"/inventory/{product['id']}", {"quantity": 1}, headers=h),
        "place-order": lambda h: someone.place({product["id"]: 1}, headers=h),
        "bad-order": lambda h: someone.place({product["id"]: 0}, headers=h),
        "anonymous-order": lambda h: api.place({product["id"]: 1}, headers=h),
        "unknown-route": lambda h: someone.post("/nope", {}, headers=h),
    }


@pytest.mark.parametrize("write", ["register", "create-product", "add-stock", "place-order", "bad-order",
                                   "anonymous-order", "unknown-route"])
def test_write_responses_carry_a_request_id(api, staff, someone, product, write):
    send = _writes(api, staff, someone, product)[write]
    sent = unique("contract-req")
    assert send({"X-Request-ID": sent}).headers.get("X-Request-ID") == sent
    first, second = send({}).headers.get("X-Request-ID"), send({}).headers.get("X-Request-ID")
    assert first and second and first != second


@pytest.mark.parametrize("case", ["405", "415", "401-token", "401-refresh", "400", "404", "409"])
def test_problem_titles_and_details_are_human_readable(api, someone, product, case):
    response = {
        "405": lambda: someone.put(f"/products/{product['id']}", {}),
        "415": lambda: someone.post("/orders", data=b"a=1", headers={"Content-Type": "text/plain"}),
        "401-token": lambda: api.get("/users/me", headers={"Authorization": "Bearer not.a.jwt"}),
        "401-refresh": lambda: api.post("/login/refresh", {"refresh": "garbage"}),
        "400": lambda: someone.place({product["id"]: 0}),
        "404": lambda: api.get("/products/999999999"),
        "409": lambda: someone.place({product["id"]: 11}),
    }[case]()
    body = assert_problem(response, int(case[:3]))
    for field in ("title", "detail"):
        text = str(body.get(field, ""))
        assert not re.search(r"\{\w+\}|ErrorDetail\(|\{'", text), f"{field} leaks a template or repr: {text!r}"
