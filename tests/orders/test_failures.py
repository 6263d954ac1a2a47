"""Idempotency with Stripe's semantics when a request fails half-way (repro 3 of issue 8, in process)."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from shop.orders import services
from shop.platform.api import idempotency
from shop.orders.models import Order, OrderIdempotencyRecord
from tests.factories import stock_of
from tests.orders.test_api import place
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@contextmanager
def orders_connection_dies_after_reserving(monkeypatch, failing_queries: int):
    """The stock is reserved; then the orders database connection fails its next `failing_queries`."""
    failures = []

    def dead(execute, sql, params, many, context):
        if len(failures) < failing_queries:
            failures.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    client = services.inventory_client()

    class ReserveThenDie:
        def stock_reserve(self, *, order_id, lines, user_id):
            reserved = client.stock_reserve(order_id=order_id, lines=lines, user_id=user_id)
            wrapper.__enter__()
            return reserved

    wrapper = connections["orders"].execute_wrapper(dead)
    monkeypatch.setattr(services, "inventory_client", lambda: ReserveThenDie())
    try:
        yield failures
    finally:
        wrapper.__exit__(None, None, None)


@pytest.mark.parametrize("failing_queries", [1, 2], ids=["statement", "statement-and-first-cleanup"])
def test_a_dead_connection_mid_order_leaves_no_placing_order_no_stock_and_no_stuck_key(
        customer_api, product, monkeypatch, failing_queries):
    items = [{"product_id": product.id, "quantity": 2}]
    with orders_connection_dies_after_reserving(monkeypatch, failing_queries) as failures:
        assert_problem(place(customer_api, items, key="k"), 503)
    assert len(failures) == failing_queries

    assert not Order.objects.exists()  # nothing left `placing`
    assert stock_of(product.id) == (10, 0)  # the release was queued with the cleanup and ran
    assert not OrderIdempotencyRecord.objects.exists()  # the key is free at once
    monkeypatch.undo()
    retried = place(customer_api, items, key="k")
    assert retried.status_code == 201 and retried.json()["status"] == "pending"
    assert stock_of(product.id) == (10, 2)


def test_a_declined_payment_is_remembered_for_its_key(customer_api, product):
    order = place(customer_api, [{"product_id": product.id, "quantity": 2}]).json()
    declined = {"card_number": "4000000000000002"}
    pay = f"/orders/{order['id']}/pay"

    first = customer_api.post(pay, declined, format="json", headers={"Idempotency-Key": "p"})
    again = customer_api.post(pay, declined, format="json", headers={"Idempotency-Key": "p"})

    assert_problem(first, 402) == assert_problem(again, 402)
    assert again["Idempotent-Replayed"] == "true"
    good = customer_api.post(pay, {}, format="json", headers={"Idempotency-Key": "p2"})
    assert good.status_code == 200 and good.json()["status"] == "paid"


def test_after_the_key_is_forgotten_it_places_a_new_order(customer_api, product, settings):
    first = place(customer_api, [{"product_id": product.id, "quantity": 1}], key="k").json()
    forgotten = timezone.now() - timedelta(seconds=settings.SHOP_IDEMPOTENCY_TTL + 1)
    Order.objects.update(created_at=forgotten)
    OrderIdempotencyRecord.objects.all().delete()  # what the purge does after SHOP_IDEMPOTENCY_TTL

    second = place(customer_api, [{"product_id": product.id, "quantity": 3}], key="k")

    assert second.status_code == 201 and second.json()["id"] != first["id"]
    assert [line["quantity"] for line in second.json()["items"]] == [3]
    assert stock_of(product.id) == (10, 4)


def test_a_claim_left_by_a_killed_process_is_free_at_once_on_postgresql(customer_api, product, monkeypatch):
    """The first request died with its process after claiming the key: nothing released the claim.
    On PostgreSQL its advisory lock died with its session, so the retry runs at once; databases without
    such locks free the claim after STALE_CLAIM_AFTER."""
    items = [{"product_id": product.id, "quantity": 2}]

    def killed(**kwargs):
        raise SystemExit("SIGKILL")

    monkeypatch.setattr(idempotency, "_release", lambda record: None)  # a killed process cleans nothing up
    monkeypatch.setattr(services, "order_place", killed)
    with pytest.raises(SystemExit):
        place(customer_api, items, key="k")
    monkeypatch.undo()
    assert OrderIdempotencyRecord.objects.get().status_code is None

    retried = place(customer_api, items, key="k")
    if connections["orders"].vendor != "postgresql":
        assert_problem(retried, 409)
        OrderIdempotencyRecord.objects.update(created_at=timezone.now() - idempotency.STALE_CLAIM_AFTER)
        retried = place(customer_api, items, key="k")
    assert retried.status_code == 201 and stock_of(product.id) == (10, 2)


@pytest.mark.parametrize("status", [401, 403])
def test_a_hop_that_refuses_our_credentials_is_a_503_that_a_retry_with_the_same_key_gets_past(
        customer_api, product, monkeypatch, settings, status):
    """The inventory's 401/403 to the orders service is a fault of our machinery (a clock, a key), not a
    refusal of the customer's order: it is not pinned to the Idempotency-Key."""
    from shop.inventory.client.http import HttpClient
    from shop.platform.remote.breaker import breaker_for
    from tests.platform.test_http import FakeUpstream

    inventory = FakeUpstream()
    inventory.status = status
    inventory.body = {"type": "/problems/authentication-failed", "title": "Unauthorized", "status": status,
                      "detail": "Invalid service credentials."}
    settings.SHOP_SERVICE_URLS = {**settings.SHOP_SERVICE_URLS, "inventory": inventory.url}
    settings.SHOP_REDIS_URL = ""
    settings.SHOP_SERVICE = "orders"  # the hop is made as the orders service, signing with its own key
    breaker_for.cache_clear()
    monkeypatch.setattr(services, "inventory_client", HttpClient)
    items = [{"product_id": product.id, "quantity": 2}]
    try:
        body = assert_problem(place(customer_api, items, key="k"), 503)
        assert "credentials" in body["detail"]
    finally:
        inventory.stop()
        breaker_for.cache_clear()
    monkeypatch.undo()

    retried = place(customer_api, items, key="k")
    assert retried.status_code == 201, retried.content
    assert "Idempotent-Replayed" not in retried
