"""Order abuse limits over HTTP: units per product after merging lines, the cap on unpaid orders
(SHOP_MAX_PENDING_ORDERS), and the units one customer may hold unpaid (SHOP_HOLD_PRODUCT_UNITS), as
tests/conftest.py sets them for the live stacks."""
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import HOLD_PRODUCT_UNITS, MAX_PENDING_ORDERS as MAX_PENDING
from tests.contract.client import ApiClient
from tests.problems import assert_problem


def test_repeating_a_line_cannot_hold_more_than_1000_units(customer, make_product):
    product = make_product(stock=5000)
    response = customer.post("/orders", {"items": [{"product_id": product["id"], "quantity": 1000}] * 5})
    assert "items" in assert_problem(response, 400)["errors"]
    assert customer.stock(product["id"])["reserved"] == 0
    assert customer.get("/orders").json()["count"] == 0


def test_a_customer_holds_at_most_the_capped_number_of_unpaid_orders(customer, make_customer, make_product):
    product_id = make_product(stock=MAX_PENDING + 5)["id"]
    placed = [customer.place_ok({product_id: 1}) for _ in range(MAX_PENDING)]
    body = assert_problem(customer.place({product_id: 1}), 409)
    assert body["type"] == "/problems/too-many-pending-orders"
    assert customer.stock(product_id)["reserved"] == MAX_PENDING
    assert customer.post(f"/orders/{placed[0]['id']}/cancel").status_code == 200
    assert customer.place({product_id: 1}).status_code == 201
    assert make_customer().place({product_id: 1}).status_code == 201


def test_one_customer_cannot_hold_a_products_whole_stock(customer, make_customer, make_product):
    """The limit per product is the greater of SHOP_HOLD_PRODUCT_UNITS and a share of the stock (default
    20%): with a stock of 2 * HOLD_PRODUCT_UNITS, the unit floor decides."""
    product_id = make_product(stock=2 * HOLD_PRODUCT_UNITS)["id"]
    assert customer.place({product_id: HOLD_PRODUCT_UNITS}).status_code == 201
    body = assert_problem(customer.place({product_id: 1}), 409)
    assert body["type"] == "/problems/hold-limit-exceeded"
    assert f"at most {HOLD_PRODUCT_UNITS}" in body["detail"]
    assert customer.stock(product_id)["reserved"] == HOLD_PRODUCT_UNITS
    assert make_customer().place({product_id: 1}).status_code == 201


def test_concurrent_placements_of_one_customer_never_pass_the_limit(stack, customer, make_product):
    """The limit is checked where the reservations live, under a lock per customer: sixteen orders of 7
    units at once, with room for 8 of them under the limit and stock for all, reserve 8."""
    product_id = make_product(stock=2 * HOLD_PRODUCT_UNITS)["id"]  # the limit is HOLD_PRODUCT_UNITS (60)
    token = customer.session.headers["Authorization"].removeprefix("Bearer ")
    sessions = [ApiClient(stack.url).authorize(token) for _ in range(16)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda session: session.place({product_id: 7}).status_code, sessions))
    assert sorted(set(statuses)) == [201, 409], statuses
    assert statuses.count(201) == HOLD_PRODUCT_UNITS // 7
    assert customer.stock(product_id)["reserved"] == 7 * (HOLD_PRODUCT_UNITS // 7)
