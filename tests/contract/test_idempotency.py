"""Idempotency-Key on POST /orders and /orders/<id>/pay: a retry replays, the work happens once."""
import pytest

from tests.contract.client import settled_stock, unique
from tests.problems import assert_problem
from tests.contract.test_orders import fence

REPLAYED = "Idempotent-Replayed"


def _key() -> dict:
    return {"Idempotency-Key": unique("idem")}


def test_a_retried_order_is_placed_once(customer, product):
    key = _key()
    first = customer.place({product["id"]: 2}, headers=key)
    again = customer.place({product["id"]: 2}, headers=key)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert REPLAYED not in first.headers
    assert again.headers.get(REPLAYED) == "true"
    assert again.json() == first.json()
    assert customer.get("/orders").json()["count"] == 1
    assert customer.stock(product["id"])["reserved"] == 2


def test_a_key_reused_with_another_order_is_422(customer, product):
    key = _key()
    assert customer.place({product["id"]: 2}, headers=key).status_code == 201
    assert_problem(customer.place({product["id"]: 3}, headers=key), 422)
    assert customer.get("/orders").json()["count"] == 1
    assert customer.stock(product["id"])["reserved"] == 2


def test_keys_belong_to_their_user(customer, make_customer, product):
    key, other = _key(), make_customer()
    mine = customer.place({product["id"]: 1}, headers=key)
    theirs = other.place({product["id"]: 1}, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert REPLAYED not in theirs.headers and theirs.json()["id"] != mine.json()["id"]
    assert customer.stock(product["id"])["reserved"] == 2


@pytest.mark.parametrize("body", [None, {"card_number": "4242424242424242"}], ids=["no-body", "card"])
def test_a_retried_payment_is_charged_and_committed_once(customer, product, order, body):
    key, path = _key(), f"/orders/{order['id']}/pay"
    first = customer.post(path, body, headers=key)
    again = customer.post(path, body, headers=key)
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert again.headers.get(REPLAYED) == "true" and again.json() == first.json()
    assert first.json()["status"] == "paid"
    settled_stock(customer, product["id"], reserved=0)
    fence(customer, product["id"])
    assert customer.stock(product["id"])["on_hand"] == 8


def test_a_payment_key_reused_with_another_card_is_422(customer, order):
    key, path = _key(), f"/orders/{order['id']}/pay"
    assert customer.post(path, {"card_number": "4242424242424242"}, headers=key).status_code == 200
    assert_problem(customer.post(path, {"card_number": "5555555555554444"}, headers=key), 422)


@pytest.mark.parametrize("key", ["x" * 256, ""], ids=["too-long", "empty"])
def test_invalid_keys_are_400(customer, product, key):
    assert_problem(customer.place({product["id"]: 1}, headers={"Idempotency-Key": key}), 400)
    assert customer.stock(product["id"])["reserved"] == 0
