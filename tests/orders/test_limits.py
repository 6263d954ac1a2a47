"""Order abuse limits: at most 1000 units per product after merging lines, a cap on unpaid orders."""
import pytest

from tests.factories import make_product, nothing_written, stock_of

pytestmark = pytest.mark.django_db(databases="__all__")


def place(client, *lines):
    return client.post("/orders", {"items": [{"product_id": pid, "quantity": qty} for pid, qty in lines]},
                       format="json")


def test_repeated_lines_may_not_add_up_past_1000_units(customer_api):
    product = make_product(stock=100_000)
    response = place(customer_api, *[(product.id, 1000)] * 100)
    assert response.status_code == 400, response.content
    assert "items" in response.json()["errors"]
    assert nothing_written() and stock_of(product.id) == (100_000, 0)


def test_exactly_1000_units_after_merging_is_fine(customer_api, settings):
    settings.SHOP_HOLD_PRODUCT_PERCENT = 100  # this test is about merging lines, not holding limits
    product = make_product(stock=1000)
    assert place(customer_api, (product.id, 600), (product.id, 400)).status_code == 201
    assert stock_of(product.id) == (1000, 1000)


def test_unpaid_orders_per_customer_are_capped(customer_api, staff_api, settings):
    settings.SHOP_MAX_PENDING_ORDERS = 2
    product = make_product(stock=10)
    first = place(customer_api, (product.id, 1)).json()
    assert place(customer_api, (product.id, 1)).status_code == 201
    refused = place(customer_api, (product.id, 1))
    assert refused.status_code == 409 and refused.json()["type"] == "/problems/too-many-pending-orders"
    assert stock_of(product.id) == (10, 2)
    assert place(staff_api, (product.id, 1)).status_code == 201  # the cap is per customer
    assert customer_api.post(f"/orders/{first['id']}/cancel").status_code == 200
    assert place(customer_api, (product.id, 1)).status_code == 201


def test_one_customer_cannot_hold_a_products_whole_stock(customer_api, staff_api, settings):
    """The audit's case: one account's unpaid orders held every unit, and everyone else got 409."""
    product = make_product(stock=1000)
    limit = max(settings.SHOP_HOLD_PRODUCT_UNITS, 1000 * settings.SHOP_HOLD_PRODUCT_PERCENT // 100)
    assert limit < 1000
    assert place(customer_api, (product.id, limit)).status_code == 201
    refused = place(customer_api, (product.id, 1))
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["type"] == "/problems/hold-limit-exceeded"
    assert f"at most {limit}" in body["detail"] and f"product {product.id}" in body["detail"]
    assert stock_of(product.id) == (1000, limit)
    assert place(staff_api, (product.id, 1)).status_code == 201  # others can still buy


def test_one_customer_holds_at_most_the_total_limit_across_products(customer_api, settings):
    settings.SHOP_HOLD_TOTAL_UNITS = 30
    products = [make_product(stock=1000) for _ in range(3)]
    assert place(customer_api, (products[0].id, 20)).status_code == 201
    refused = place(customer_api, (products[1].id, 6), (products[2].id, 5))
    assert refused.status_code == 409 and refused.json()["type"] == "/problems/hold-limit-exceeded"
    assert "30" in refused.json()["detail"]
    assert stock_of(products[1].id) == (1000, 0)
