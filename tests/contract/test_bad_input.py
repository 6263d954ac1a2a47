"""Bad input is the caller's fault: a 4xx problem document, never a 5xx, and nothing changes."""
import json

import pytest

from tests.problems import assert_problem

JSON = {"Content-Type": "application/json"}
LIMIT = 64 * 1024


def raw(body: bytes | str, content_type: str = "application/json") -> dict:
    return {"data": body.encode() if isinstance(body, str) else body, "headers": {"Content-Type": content_type}}


def line(**fields) -> dict:
    return {"json": {"items": [{"product_id": "{product}", "quantity": 1} | fields]}}


def huge(body: dict) -> dict:
    """A body just over the limit, on a connection of its own (see test_a_413_leaves_the_connection_usable)."""
    kwargs = raw(json.dumps(body | {"padding": "x" * LIMIT}))
    kwargs["headers"]["Connection"] = "close"
    return kwargs


ORDER_BODIES = [
    ("malformed", raw("{bad")), ("truncated", raw('{"items": [')), ("empty", raw("")), ("null", raw("null")),
    ("list", raw("[]")), ("number", raw("42")), ("string", raw('"items"')), ("not-utf8", raw(b"\xff\xfe{}")),
    ("nan", raw('{"items": [{"product_id": NaN, "quantity": 1}]}')),
    ("infinity", raw('{"items": [{"product_id": 1, "quantity": Infinity}]}')),
    ("5000-digit-id", raw('{"items": [{"product_id": ' + "9" * 5000 + ', "quantity": 1}]}')),
    ("deeply-nested", raw("[" * 10_000 + "]" * 10_000)),
    ("deeply-nested-object", raw('{"items": ' + "[" * 10_000 + "]" * 10_000 + "}")),
    ("no-items", {"json": {}}), ("items-string", {"json": {"items": "x"}}),
    ("items-object", {"json": {"items": {"product_id": 1, "quantity": 1}}}),
    ("items-of-numbers", {"json": {"items": [1, 2]}}), ("items-empty", {"json": {"items": []}}),
    ("items-101", {"json": {"items": [{"product_id": 1, "quantity": 1}] * 101}}),
    ("items-1500", {"json": {"items": [{"product_id": 1, "quantity": 1}] * 1500}}),
    ("no-quantity", {"json": {"items": [{"product_id": 1}]}}),
    ("no-product", {"json": {"items": [{"quantity": 1}]}}),
    *[(f"quantity={q!r}", line(quantity=q)) for q in (0, -1, 1001, 10**9, 10**30, 1.5, "many", None, True, [1])],
    *[(f"product_id={p!r}", line(product_id=p)) for p in (0, -5, 2**63, "abc", None, 1.5, {"id": 1})],
]
PAY_BODIES = [("malformed", raw("{bad")), ("list", raw("[]")),
              *[(f"card={c!r}", {"json": {"card_number": c}})
                for c in ("abc", "1234", "4242 4242 4242 4242", None, "4" * 20)]]
TOO_LARGE = [
    ("anon", "POST", "/register", huge({"username": "big", "email": "big@example.com", "password": "x"})),
    ("anon", "POST", "/login", huge({"username": "big", "password": "x"})),
    ("customer", "POST", "/orders", huge({"items": [{"product_id": 1, "quantity": 1}]})),
    ("customer", "POST", "/orders/{order}/pay", huge({})),
    ("staff", "POST", "/products", huge({"name": "big", "price": "1.00", "sku": "BIG"})),
    ("staff", "PATCH", "/products/{product}", huge({"price": "1.00"})),
    ("staff", "POST", "/inventory/{product}", huge({"quantity": 1})),
    ("staff", "DELETE", "/inventory/{product}", huge({"quantity": 1})),
]
NOT_A_NUMBER = ["abc", "1.5", "-1", "1e3", "0x10", "%20", "1%2F2", "99999999999999999999"]
CASES = [
    *[pytest.param("customer", "POST", "/orders", kw, 400, id=f"order-{name}") for name, kw in ORDER_BODIES],
    *[pytest.param("customer", "POST", "/orders/{order}/pay", kw, 400, id=f"pay-{name}") for name, kw in PAY_BODIES],
    *[pytest.param(who, method, path, kw, 413, id=f"413-{method}-{path}") for who, method, path, kw in TOO_LARGE],
    *[pytest.param("customer", "POST", "/orders", raw("items=1", ct), 415, id=f"415-{ct}")
      for ct in ("application/x-www-form-urlencoded", "text/plain", "application/xml")],
    *[pytest.param("customer", method, path.format(bad), {}, 404, id=f"404-{method}-{path.format(bad)}")
      for bad in NOT_A_NUMBER
      for method, path in [("GET", "/products/{}"), ("GET", "/inventory/{}"), ("GET", "/orders/{}"),
                           ("POST", "/orders/{}/pay"), ("POST", "/orders/{}/cancel"), ("GET", "/users/{}")]],
    pytest.param("anon", "POST", "/register", raw("{bad"), 400, id="register-malformed"),
    pytest.param("anon", "POST", "/login", raw("{bad"), 400, id="login-malformed"),
    pytest.param("anon", "POST", "/login", {"json": {"username": ["a"], "password": {"b": 1}}}, 400,
                 id="login-wrong-types"),
    pytest.param("staff", "POST", "/products", raw("{bad"), 400, id="product-malformed"),
    pytest.param("staff", "POST", "/inventory/{product}", raw("{bad"), 400, id="stock-malformed"),
    pytest.param("staff", "POST", "/inventory/{product}", raw("[" * 10_000 + "]" * 10_000), 400,
                 id="stock-deeply-nested"),
]


@pytest.fixture
def setting(api, staff, someone, make_product):
    """Clients by role, a fresh product (10 in stock) and a pending order of someone's for 2 of it; the order
    is cancelled afterwards, so someone stays under the cap on unpaid orders."""
    product = make_product(stock=10)
    order = someone.place_ok({product["id"]: 2})
    yield {"anon": api, "customer": someone, "staff": staff}, {"product": product["id"], "order": order["id"]}
    someone.post(f"/orders/{order['id']}/cancel")


def _fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value in ("{product}", "{order}") else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("who, method, path, kwargs, status", CASES)
def test_bad_input_is_a_4xx_problem_and_changes_nothing(setting, who, method, path, kwargs, status):
    clients, ids = setting
    kwargs = {k: _fill(v, ids) if k == "json" else v for k, v in kwargs.items()}
    response = clients[who].request(method, path.format(**ids), **kwargs)
    assert_problem(response, status)
    assert clients["staff"].stock(ids["product"]) == {"product_id": ids["product"], "on_hand": 10, "reserved": 2,
                                                       "available": 8}
    assert clients["customer"].get(f"/orders/{ids['order']}").json()["status"] == "pending"


def test_a_413_leaves_the_connection_usable(staff, product):
    """A server that answers before reading the body must close the connection (RFC 9110 §9.3 / 15.5.14)
    or drain it; otherwise the unread bytes break the next request a client sends on the kept-alive one."""
    for _ in range(5):
        too_large = staff.post("/orders", data=json.dumps({"padding": "x" * LIMIT}), headers=JSON)
        assert_problem(too_large, 413)
        assert staff.get(f"/products/{product['id']}").status_code == 200
