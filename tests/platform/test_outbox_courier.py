"""The outbox off the request path: a courier thread publishes after commit; sent rows are purged."""
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from shop.celery import app
from shop.inventory.client import STOCK_COMMIT_TASK
from shop.orders.models import Order, OrderOutbox
from shop.platform.messaging import outbox

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def announce() -> Order:
    with transaction.atomic(using="orders"):
        order = Order.objects.create(user_id=1, total=Decimal("1.00"), status=Order.Status.PAID)
        outbox.enqueue(OrderOutbox, task=STOCK_COMMIT_TASK, order_id=order.id)
    return order


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def broker(monkeypatch):
    """A broker-backed process (not eager) whose publishes block until `broker.up` is set."""
    state = type("Broker", (), {"up": threading.Event(), "received": [], "refused": []})()
    monkeypatch.setitem(app.conf, "task_always_eager", False)

    def publish(task, kwargs):
        if not state.up.wait(timeout=0.2):
            state.refused.append(threading.current_thread().name)
            raise ConnectionError("broker down")
        state.received.append((task, kwargs))

    monkeypatch.setattr(outbox, "publish", publish)
    return state


def test_commit_returns_without_waiting_for_a_down_broker(broker):
    order = announce()

    # The one publish attempt ran on the courier thread, never on the request's (speed is a bench matter).
    assert wait_for(lambda: broker.refused == ["outbox-courier"])
    assert OrderOutbox.objects.get().sent_at is None  # not confirmed: it stays for the periodic relay
    broker.up.set()
    OrderOutbox.objects.update(created_at=timezone.now() - outbox.RELAY_GRACE * 2)
    assert outbox.relay(OrderOutbox) == 1
    assert broker.received == [(STOCK_COMMIT_TASK, {"order_id": order.id})]


def test_courier_marks_a_message_sent_once_the_broker_confirmed_it(broker):
    broker.up.set()
    order = announce()

    assert wait_for(lambda: OrderOutbox.objects.filter(sent_at__isnull=False).exists())
    assert broker.received == [(STOCK_COMMIT_TASK, {"order_id": order.id})]


def test_sent_rows_are_purged_after_the_retention_unsent_ones_never():
    now = timezone.now()
    OrderOutbox.objects.bulk_create([
        OrderOutbox(task="t", kwargs={"n": 1}, sent_at=now - timedelta(days=8)),
        OrderOutbox(task="t", kwargs={"n": 2}, sent_at=now - timedelta(hours=1)),
        OrderOutbox(task="t", kwargs={"n": 3}, created_at=now - timedelta(days=30)),
    ])

    assert outbox.purge_sent(OrderOutbox, retention_seconds=7 * 24 * 3600) == 1
    assert sorted(m.kwargs["n"] for m in OrderOutbox.objects.all()) == [2, 3]
