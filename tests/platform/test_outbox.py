"""Transactional outbox: saved with the state change, relayed after commit, retried until published."""
import pytest
from django.utils import timezone

from shop.inventory import selectors as stock, services as inventory
from shop.inventory.client import STOCK_RELEASE_TASK
from shop.platform.messaging import outbox
from shop.platform.db import atomic
from tests.platform.models import Widget, WidgetOutbox, tables  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.usefixtures("tables")]
CUSTOMER = 1  # the user id reservations are made for
TASK = "widgets.announce"


@pytest.fixture
def published(monkeypatch) -> list:
    """What reached the broker; outbox.publish is replaced by a recorder."""
    sent = []
    monkeypatch.setattr(outbox, "publish", lambda task, kwargs: sent.append((task, kwargs)))
    return sent


def make_widget() -> Widget:
    """A state change that announces itself, in one transaction of the widget's database."""
    with atomic(Widget):
        widget = Widget.objects.create(name="w")
        outbox.enqueue(WidgetOutbox, task=TASK, widget_id=widget.id)
    return widget


def test_message_is_rolled_back_with_the_state_change(published):
    with pytest.raises(RuntimeError), atomic(Widget):
        Widget.objects.create(name="w")
        outbox.enqueue(WidgetOutbox, task=TASK, widget_id=1)
        raise RuntimeError("the use-case failed")
    assert not Widget.objects.exists()
    assert not WidgetOutbox.objects.exists()
    assert published == []


def test_message_is_relayed_only_after_commit_and_marked_sent(published):
    with atomic(Widget):
        widget = Widget.objects.create(name="w")
        outbox.enqueue(WidgetOutbox, task=TASK, widget_id=widget.id)
        assert published == []
    assert published == [(TASK, {"widget_id": widget.id})]
    assert WidgetOutbox.objects.get().sent_at is not None


def test_unpublished_message_stays_and_a_later_relay_sends_it_once(monkeypatch):
    def broker_down(task, kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(outbox, "publish", broker_down)
    widget = make_widget()
    assert WidgetOutbox.objects.get().sent_at is None

    sent = []
    monkeypatch.setattr(outbox, "publish", lambda task, kwargs: sent.append((task, kwargs)))
    assert outbox.relay(WidgetOutbox) == 0  # younger than the grace period: its own on_commit relay owns it
    WidgetOutbox.objects.update(created_at=timezone.now() - outbox.RELAY_GRACE * 2)
    assert outbox.relay(WidgetOutbox) == 1
    assert outbox.relay(WidgetOutbox) == 0
    assert sent == [(TASK, {"widget_id": widget.id})]
    assert WidgetOutbox.objects.get().sent_at is not None


def test_relay_publishes_the_real_task():
    """In the monolith without a broker, publishing runs the consumer's task in-process."""
    inventory.stock_add(product_id=5, quantity=3)
    inventory.stock_reserve(user_id=CUSTOMER, order_id=99, lines=[(5, 2)])
    with atomic(WidgetOutbox):
        outbox.enqueue(WidgetOutbox, task=STOCK_RELEASE_TASK, order_id=99)
    assert stock.stock_get(product_id=5).reserved == 0
    assert WidgetOutbox.objects.get().sent_at is not None
