"""The stock reconciler repairs reservations that disagree with their orders, through the orders door."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from shop.inventory import services
from shop.inventory.client import ReservationReleased
from shop.inventory.models import Reservation
from shop.inventory.reconcile import stock_reconcile
from shop.orders import services as orders
from shop.orders.models import Order
from tests.factories import make_product, make_user, stock_of

pytestmark = pytest.mark.django_db(databases="__all__")
CUSTOMER = 1  # the user id reservations are made for


def age_reservations(settings) -> None:
    Reservation.objects.update(created_at=timezone.now() - timedelta(seconds=settings.SHOP_RECONCILE_AFTER + 1))


@pytest.fixture
def shop():
    """A customer and a product with 10 units."""
    return make_user(), make_product(stock=10)


def place(shop, quantity=2) -> Order:
    user, product = shop
    return orders.order_place(user_id=user.id, lines=[(product.id, quantity)])


def test_paid_orders_are_committed_and_dead_ones_released(shop, settings, monkeypatch):
    paid, cancelled, expired, pending = (place(shop) for _ in range(4))
    monkeypatch.setattr("shop.platform.messaging.outbox.relay_soon", lambda model, pk: None)  # every message is lost
    orders.order_pay(order_id=paid.id, user_id=paid.user_id)
    orders.order_cancel(order_id=cancelled.id, user_id=cancelled.user_id)
    Order.objects.filter(pk=expired.pk).update(status=Order.Status.EXPIRED)
    assert stock_of(shop[1].id) == (10, 8)

    age_reservations(settings)
    assert stock_reconcile() == {"checked": 4, "committed": 1, "released": 2}
    assert stock_of(shop[1].id) == (8, 2)  # sold 2, the pending order still holds 2
    assert stock_reconcile() == {"checked": 1}  # idempotent: only the pending order is live


def test_missing_and_stuck_placing_orders_are_released_and_tombstoned(shop, settings):
    stuck = place(shop, quantity=3)
    Order.objects.filter(pk=stuck.pk).update(status=Order.Status.PLACING)  # its request died mid-order
    services.stock_reserve(user_id=CUSTOMER, order_id=10**9, lines=[(shop[1].id, 4)])  # no such order
    age_reservations(settings)

    assert stock_reconcile() == {"checked": 2, "released": 2}
    assert stock_of(shop[1].id) == (10, 0)
    with pytest.raises(ReservationReleased):
        services.stock_reserve(user_id=CUSTOMER, order_id=stuck.id, lines=[(shop[1].id, 3)])


def test_young_reservations_are_left_to_the_saga(shop):
    order = place(shop)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PLACING)

    assert stock_reconcile() == {"checked": 0}
    assert stock_of(shop[1].id) == (10, 2)


def test_the_command_reports_what_it_changed(shop, settings, capsys):
    order = place(shop)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    age_reservations(settings)

    call_command("reconcile_stock")
    assert capsys.readouterr().out.strip() == "checked 1 order(s) with live reservations: committed 0, released 1"
