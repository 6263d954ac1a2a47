"""Order abuse limits over HTTP: units per product after merging lines, and the cap on unpaid orders
(SHOP_MAX_PENDING_ORDERS, set by tests/conftest.py for the live stacks)."""
from tests.conftest import MAX_PENDING_ORDERS as MAX_PENDING
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
