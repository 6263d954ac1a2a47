"""Public orders API: place (Idempotency-Key), list, read, pay and cancel."""
import json

import pytest

from shop.orders.models import Order, OrderIdempotencyRecord, Payment
from tests.factories import login, make_product, make_user, nothing_written, stock_of
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(databases="__all__")


def place(client, items, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/orders", {"items": items}, format="json", headers=headers)


@pytest.fixture
def order(customer_api, product) -> dict:
    response = place(customer_api, [{"product_id": product.id, "quantity": 2}])
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def other_api():
    return login(make_user())


@pytest.mark.parametrize("path", ["/orders", "/orders/"])
def test_customer_places_an_order(customer_api, product, path):
    response = customer_api.post(path, {"items": [{"product_id": product.id, "quantity": 2}]}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["total"]) == ("pending", "19.98")
    assert body["items"] == [{"product_id": product.id, "name": "Widget", "sku": product.sku, "unit_price": "9.99",
                              "quantity": 2, "line_total": "19.98"}]
    assert stock_of(product.id) == (10, 2)


def test_placing_an_order_needs_a_login(api, product):
    assert_problem(place(api, [{"product_id": product.id, "quantity": 1}]), 401)
    assert nothing_written()


def test_customer_lists_and_reads_only_own_orders(customer_api, other_api, order):
    place(other_api, [{"product_id": order["items"][0]["product_id"], "quantity": 1}])

    listed = customer_api.get("/orders").json()
    assert (listed["count"], listed["results"]) == (1, [order])
    assert customer_api.get(f"/orders/{order['id']}/").json() == order


@pytest.mark.parametrize("method, path", [
    ("get", "/orders/{id}"), ("post", "/orders/{id}/pay"), ("post", "/orders/{id}/cancel"),
])
def test_another_users_order_is_404(other_api, order, method, path):
    body = assert_problem(getattr(other_api, method)(path.format(id=order["id"])), 404)

    assert body["type"] == "/problems/order-not-found"
    assert Order.objects.get().status == "pending"


@pytest.mark.parametrize("method, path", [
    ("get", "/orders/999"), ("post", "/orders/999/pay"), ("get", "/orders/abc"), ("post", "/orders/-1/cancel"),
])
def test_unknown_order_is_404(customer_api, method, path):
    assert_problem(getattr(customer_api, method)(path), 404)


@pytest.mark.parametrize("path", ["/orders/{id}/pay", "/orders/{id}/pay/"])
def test_pay_commits_the_stock(customer_api, order, product, run_on_commit, path):
    with run_on_commit():
        response = customer_api.post(path.format(id=order["id"]), {"card_number": "4242424242424242"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "paid"
    assert stock_of(product.id) == (8, 0)


def test_declined_payment_is_402_and_the_order_stays_pending(customer_api, order, product):
    body = assert_problem(customer_api.post(f"/orders/{order['id']}/pay", {"card_number": "4000000000000002"},
                                            format="json"), 402)

    assert body["type"] == "/problems/payment-declined"
    assert Order.objects.get().status == "pending" and not Payment.objects.exists()
    assert stock_of(product.id) == (10, 2)


@pytest.mark.parametrize("card", ["4242", "4242-4242-4242-4242", ["4242424242424242"], None, ""])
def test_pay_validates_the_card_number(customer_api, order, card):
    assert "card_number" in assert_problem(customer_api.post(f"/orders/{order['id']}/pay", {"card_number": card},
                                                             format="json"), 400)["errors"]
    assert Order.objects.get().status == "pending"


@pytest.mark.parametrize("path", ["/orders/{id}/cancel", "/orders/{id}/cancel/"])
def test_cancel_releases_the_stock(customer_api, order, product, run_on_commit, path):
    with run_on_commit():
        response = customer_api.post(path.format(id=order["id"]))

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert stock_of(product.id) == (10, 0)


@pytest.mark.parametrize("first, then, status", [("cancel", "pay", 409), ("pay", "cancel", 409)])
def test_closed_orders_refuse_pay_and_cancel(customer_api, order, run_on_commit, first, then, status):
    with run_on_commit():
        customer_api.post(f"/orders/{order['id']}/{first}")

    assert_problem(customer_api.post(f"/orders/{order['id']}/{then}"), status)


# Idempotency-Key


def test_same_key_and_body_replays_the_first_response(customer_api, product):
    items = [{"product_id": product.id, "quantity": 2}]
    first = place(customer_api, items, key="key-1")
    again = place(customer_api, items, key="key-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Order.objects.count() == 1 and stock_of(product.id) == (10, 2)


def test_same_key_with_another_body_is_422(customer_api, product):
    place(customer_api, [{"product_id": product.id, "quantity": 2}], key="key-1")

    body = assert_problem(place(customer_api, [{"product_id": product.id, "quantity": 3}], key="key-1"), 422)

    assert body["type"] == "/problems/idempotency-key-reused"
    assert Order.objects.count() == 1 and stock_of(product.id) == (10, 2)


def test_keys_are_scoped_per_user(customer, customer_api, other_api, product):
    items = [{"product_id": product.id, "quantity": 1}]
    mine = place(customer_api, items, key="shared")
    theirs = place(other_api, items, key="shared")

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert Order.objects.filter(user_id=customer.id).count() == 1 and Order.objects.count() == 2


def test_same_key_replays_a_payment(customer_api, order, run_on_commit):
    with run_on_commit():
        first = customer_api.post(f"/orders/{order['id']}/pay", {}, format="json", headers={"Idempotency-Key": "p"})
    again = customer_api.post(f"/orders/{order['id']}/pay", {}, format="json", headers={"Idempotency-Key": "p"})

    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("key", ["x" * 256, "tab\there"])
def test_malformed_idempotency_key_is_400(customer_api, product, key):
    assert_problem(place(customer_api, [{"product_id": product.id, "quantity": 1}], key=key), 400)
    assert nothing_written()


# Bad input never writes anything

BAD_BODIES = {
    "items-missing": {},
    "items-empty": {"items": []},
    "items-not-a-list": {"items": {"product_id": 1, "quantity": 1}},
    "items-null": {"items": None},
    "item-not-an-object": {"items": [5]},
    "too-many-items": {"items": [{"product_id": 1, "quantity": 1}] * 101},
    "quantity-zero": {"items": [{"product_id": 1, "quantity": 0}]},
    "quantity-negative": {"items": [{"product_id": 1, "quantity": -1}]},
    "quantity-huge": {"items": [{"product_id": 1, "quantity": 10**9}]},
    "quantity-string": {"items": [{"product_id": 1, "quantity": "x"}]},
    "quantity-missing": {"items": [{"product_id": 1}]},
    "product-id-string": {"items": [{"product_id": "abc", "quantity": 1}]},
    "product-id-huge": {"items": [{"product_id": 2**63, "quantity": 1}]},
    "product-id-zero": {"items": [{"product_id": 0, "quantity": 1}]},
    "unknown-product": {"items": [{"product_id": 10**15, "quantity": 1}]},
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_input_is_400_and_writes_nothing(customer_api, product, body):
    body = json.loads(json.dumps(body).replace('"product_id": 1,', f'"product_id": {product.id},'))

    assert_problem(customer_api.post("/orders", body, format="json", headers={"Idempotency-Key": "k"}), 400)

    assert nothing_written() and stock_of(product.id) == (10, 0)
    assert not OrderIdempotencyRecord.objects.exists()


@pytest.mark.parametrize("raw", ['{"items": [', "not json", '{"items": [{"product_id": 1, "quantity": 1}]} x'])
def test_malformed_json_is_400(customer_api, raw):
    body = assert_problem(customer_api.post("/orders", raw, content_type="application/json"), 400)

    assert body["type"] == "/problems/malformed-request"
    assert nothing_written()


def test_total_beyond_what_an_order_can_hold_is_400(customer_api):
    items = [{"product_id": make_product(price="99999999.99", stock=1000).id, "quantity": 1000} for _ in range(11)]

    assert assert_problem(place(customer_api, items), 400)["type"] == "/problems/order-total-too-large"
    assert nothing_written()


def test_insufficient_stock_is_409_writes_no_order_and_is_remembered_for_its_key(customer_api, product):
    body = assert_problem(place(customer_api, [{"product_id": product.id, "quantity": 11}], key="k"), 409)

    assert body["type"] == "/problems/insufficient-stock"
    assert nothing_written() and stock_of(product.id) == (10, 0)
    assert OrderIdempotencyRecord.objects.get().status_code == 409  # it ran: Stripe keeps the answer too


def test_body_over_the_size_limit_is_413(customer_api, product, settings):
    body = {"items": [{"product_id": product.id, "quantity": 1}], "pad": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}

    body = assert_problem(customer_api.post("/orders", body, format="json"), 413)

    assert body["type"] == "/problems/body-too-large"
    assert nothing_written() and stock_of(product.id) == (10, 0)
