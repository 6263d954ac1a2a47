"""Transactional outbox: saved with the state change, relayed after commit, retried until published."""
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from shop.inventory import selectors as stock, services as inventory
from shop.inventory.client import STOCK_RELEASE_TASK
from shop.orders.models import Order, OrderOutbox
from shop.platform import outbox

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def published(monkeypatch) -> list:
    """What reached the broker; outbox.publish is replaced by a recorder."""
    sent = []
    monkeypatch.setattr(outbox, "publish", lambda task, kwargs: sent.append((task, kwargs)))
    return sent


def place_order() -> Order:
    """A state change that announces itself, in one transaction of the orders database."""
    with transaction.atomic(using="orders"):
        order = Order.objects.create(user_id=1, total=Decimal("1.00"), status=Order.Status.CANCELLED)
        outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=order.id)
    return order


def test_message_is_rolled_back_with_the_state_change(published):
    with pytest.raises(RuntimeError), transaction.atomic(using="orders"):
        Order.objects.create(user_id=1, total=Decimal("1.00"))
        outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=1)
        raise RuntimeError("the use-case failed")
    assert not Order.objects.exists()
    assert not OrderOutbox.objects.exists()
    assert published == []


def test_message_is_relayed_only_after_commit_and_marked_sent(published):
    with transaction.atomic(using="orders"):
        order = Order.objects.create(user_id=1, total=Decimal("1.00"))
        outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=order.id)
        assert published == []
    assert published == [(STOCK_RELEASE_TASK, {"order_id": order.id})]
    assert OrderOutbox.objects.get().sent_at is not None


def test_unpublished_message_stays_and_a_later_relay_sends_it_once(monkeypatch):
    def broker_down(task, kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(outbox, "publish", broker_down)
    order = place_order()
    assert OrderOutbox.objects.get().sent_at is None

    sent = []
    monkeypatch.setattr(outbox, "publish", lambda task, kwargs: sent.append((task, kwargs)))
    assert outbox.relay(OrderOutbox) == 0  # younger than the grace period: its own on_commit relay owns it
    OrderOutbox.objects.update(created_at=timezone.now() - outbox.RELAY_GRACE * 2)
    assert outbox.relay(OrderOutbox) == 1
    assert outbox.relay(OrderOutbox) == 0
    assert sent == [(STOCK_RELEASE_TASK, {"order_id": order.id})]
    assert OrderOutbox.objects.get().sent_at is not None


def test_relay_publishes_the_real_task():
    """In the monolith without a broker, publishing runs the consumer's task in-process."""
    inventory.stock_add(product_id=5, quantity=3)
    inventory.stock_reserve(order_id=99, lines=[(5, 2)])
    with transaction.atomic(using="orders"):
        outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=99)
    assert stock.stock_get(product_id=5).reserved == 0
    assert OrderOutbox.objects.get().sent_at is not None
