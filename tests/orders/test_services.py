"""The order saga: place (reserve), pay (commit), cancel and expire (release)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.catalog import services as catalog
from shop.inventory import services as inventory
from shop.inventory.client import InsufficientStock, ReservationReleased
from shop.inventory.models import Reservation
from shop.orders import services
from shop.orders.models import Order, OrderOutbox, Payment
from shop.orders.payments import PaymentDeclined
from shop.orders.services import (OrderNotCancellable, OrderNotFound, OrderNotPayable, OrderTotalTooLarge,
                                 UnknownProducts)
from tests.factories import make_product, make_user, nothing_written, stock_of

pytestmark = pytest.mark.django_db(databases="__all__")
DECLINED_CARD = "4000000000000002"


@pytest.fixture
def user():
    return make_user()


@pytest.fixture
def order(user, product):
    """A pending order of 2 units of `product`."""
    return services.order_place(user_id=user.id, lines=[(product.id, 2)])


def set_status(order, status):
    Order.objects.filter(pk=order.pk).update(status=status)


def age(order, seconds):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))


def test_order_place_prices_lines_from_the_catalog_and_reserves_stock(user, product):
    other = make_product(price="0.50", stock=5, name="Gadget")

    order = services.order_place(user_id=user.id, lines=[(product.id, 2), (other.id, 3), (product.id, 1)])

    assert (order.status, order.user_id, order.total) == ("pending", user.id, Decimal("31.47"))
    lines = [(line.product_id, line.name, line.sku, line.unit_price, line.quantity)
             for line in order.lines.order_by("product_id")]
    assert lines == [(product.id, "Widget", product.sku, Decimal("9.99"), 3),
                     (other.id, "Gadget", other.sku, Decimal("0.50"), 3)]
    assert (stock_of(product.id), stock_of(other.id)) == ((10, 3), (5, 3))


def test_order_keeps_the_price_it_was_placed_at(order, product):
    catalog.product_update(product_id=product.id, price=Decimal("100.00"))

    order.refresh_from_db()
    assert (order.total, order.lines.get().unit_price) == (Decimal("19.98"), Decimal("9.99"))


def test_unknown_product_places_nothing(user, product):
    with pytest.raises(UnknownProducts) as raised:
        services.order_place(user_id=user.id, lines=[(product.id, 1), (999, 1)])

    assert raised.value.status == 400 and "999" in raised.value.detail
    assert nothing_written() and stock_of(product.id) == (10, 0)


def test_insufficient_stock_places_nothing_and_reserves_nothing(user, product):
    other = make_product(stock=1)

    with pytest.raises(InsufficientStock) as raised:
        services.order_place(user_id=user.id, lines=[(product.id, 2), (other.id, 2)])

    assert raised.value.status == 409
    assert nothing_written() and (stock_of(product.id), stock_of(other.id)) == ((10, 0), (1, 0))


def test_total_too_large_to_store_places_nothing(user):
    lines = [(make_product(price="99999999.99", stock=1000).id, 1000) for _ in range(11)]

    with pytest.raises(OrderTotalTooLarge):
        services.order_place(user_id=user.id, lines=lines)
    assert nothing_written()


def test_idempotency_key_returns_the_same_order(user, product):
    first = services.order_place(user_id=user.id, lines=[(product.id, 2)], idempotency_key="k1")
    again = services.order_place(user_id=user.id, lines=[(product.id, 2)], idempotency_key="k1")

    assert again.pk == first.pk and Order.objects.count() == 1
    assert stock_of(product.id) == (10, 2)


def test_idempotency_keys_belong_to_one_user(user, product):
    mine = services.order_place(user_id=user.id, lines=[(product.id, 1)], idempotency_key="k1")
    theirs = services.order_place(user_id=user.id + 1, lines=[(product.id, 1)], idempotency_key="k1")

    assert mine.pk != theirs.pk and theirs.user_id == user.id + 1


def test_order_pay_charges_once_and_commits_the_stock(order, product, run_on_commit):
    with run_on_commit():
        paid = services.order_pay(order_id=order.id, user_id=order.user_id)

    payment = Payment.objects.get()
    assert paid.status == "paid" and Order.objects.get().status == "paid"
    assert (payment.order_id, payment.amount, payment.charge_id[:3]) == (order.id, Decimal("19.98"), "ch_")
    assert stock_of(product.id) == (8, 0)
    assert Reservation.objects.get().status == "committed"
    assert not OrderOutbox.objects.filter(sent_at__isnull=True).exists()


def test_paying_twice_charges_and_commits_once(order, product, run_on_commit):
    with run_on_commit():
        services.order_pay(order_id=order.id, user_id=order.user_id)
    with run_on_commit():
        again = services.order_pay(order_id=order.id, user_id=order.user_id)

    assert again.status == "paid"
    assert Payment.objects.count() == 1 and OrderOutbox.objects.count() == 1
    assert stock_of(product.id) == (8, 0)


@pytest.mark.parametrize("card", [DECLINED_CARD, "4000000000009995"])
def test_declined_card_leaves_the_order_pending(order, product, run_on_commit, card):
    with pytest.raises(PaymentDeclined) as raised, run_on_commit():
        services.order_pay(order_id=order.id, user_id=order.user_id, card_number=card)

    assert raised.value.status == 402
    assert Order.objects.get().status == "pending"
    assert not Payment.objects.exists() and not OrderOutbox.objects.exists()
    assert stock_of(product.id) == (10, 2)


def test_a_declined_order_can_be_paid_with_another_card(order, product, run_on_commit):
    with pytest.raises(PaymentDeclined):
        services.order_pay(order_id=order.id, user_id=order.user_id, card_number=DECLINED_CARD)
    with run_on_commit():
        services.order_pay(order_id=order.id, user_id=order.user_id)

    assert Payment.objects.count() == 1 and stock_of(product.id) == (8, 0)


@pytest.mark.parametrize("status", ["cancelled", "expired"])
def test_only_pending_orders_are_payable(order, status):
    set_status(order, status)

    with pytest.raises(OrderNotPayable) as raised:
        services.order_pay(order_id=order.id, user_id=order.user_id)
    assert raised.value.status == 409 and not Payment.objects.exists()


def test_pending_order_past_its_reservation_is_not_payable(order, settings):
    settings.SHOP_RESERVATION_TTL = 60
    age(order, 61)

    with pytest.raises(OrderNotPayable):
        services.order_pay(order_id=order.id, user_id=order.user_id)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("call", [services.order_pay, services.order_cancel])
def test_another_users_order_is_not_found(order, call):
    with pytest.raises(OrderNotFound):
        call(order_id=order.id, user_id=order.user_id + 1)
    assert Order.objects.get().status == "pending"


def test_cancel_releases_the_reservation_once(order, product, run_on_commit):
    with run_on_commit():
        cancelled = services.order_cancel(order_id=order.id, user_id=order.user_id)
    with run_on_commit():
        services.order_cancel(order_id=order.id, user_id=order.user_id)

    assert cancelled.status == "cancelled" and Order.objects.get().status == "cancelled"
    assert stock_of(product.id) == (10, 0)
    assert Reservation.objects.get().status == "released"
    assert OrderOutbox.objects.count() == 1


@pytest.mark.parametrize("status", ["paid", "expired"])
def test_only_pending_orders_are_cancellable(order, status):
    set_status(order, status)

    with pytest.raises(OrderNotCancellable) as raised:
        services.order_cancel(order_id=order.id, user_id=order.user_id)
    assert raised.value.status == 409 and Order.objects.get().status == status


def test_paid_order_cannot_be_cancelled_and_keeps_its_sale(order, product, run_on_commit):
    with run_on_commit():
        services.order_pay(order_id=order.id, user_id=order.user_id)

    with pytest.raises(OrderNotCancellable):
        services.order_cancel(order_id=order.id, user_id=order.user_id)
    assert stock_of(product.id) == (8, 0)


def test_orders_expire_releases_stale_pending_orders_only(user, product, settings, run_on_commit):
    settings.SHOP_RESERVATION_TTL = 60
    stale = services.order_place(user_id=user.id, lines=[(product.id, 2)])
    fresh = services.order_place(user_id=user.id, lines=[(product.id, 3)])
    paid = services.order_place(user_id=user.id, lines=[(product.id, 1)])
    with run_on_commit():
        services.order_pay(order_id=paid.id, user_id=user.id)
    age(stale, 61)
    age(paid, 61)

    with run_on_commit():
        assert services.orders_expire() == 1

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {stale.pk: "expired", fresh.pk: "pending", paid.pk: "paid"}
    assert stock_of(product.id) == (9, 3)


def test_orders_expire_cleans_up_orders_stuck_while_placing(user, product, run_on_commit):
    stuck = Order.objects.create(user_id=user.id, total=Decimal("1.00"))
    age(stuck, 121)

    with run_on_commit():
        assert services.orders_expire() == 1
    assert Order.objects.get().status == "expired"


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_outbox_relays_on_real_commits(user, product):
    """No captured hooks: the relay fires because the orders transaction really commits."""
    paid = services.order_place(user_id=user.id, lines=[(product.id, 2)])
    cancelled = services.order_place(user_id=user.id, lines=[(product.id, 3)])

    services.order_pay(order_id=paid.id, user_id=user.id)
    services.order_cancel(order_id=cancelled.id, user_id=user.id)

    assert stock_of(product.id) == (8, 0)
    assert OrderOutbox.objects.filter(sent_at__isnull=False).count() == 2


def test_a_placement_whose_stock_was_released_meanwhile_is_refused_and_removed(user, product):
    """A stuck placement's reservation was released (compensation or reconciler); its retry cannot revive it."""
    stuck = services.order_place(user_id=user.id, lines=[(product.id, 2)], idempotency_key="k")
    Order.objects.filter(pk=stuck.pk).update(status=Order.Status.PLACING)
    inventory.stock_release(order_id=stuck.id)

    with pytest.raises(ReservationReleased) as raised:
        services.order_place(user_id=user.id, lines=[(product.id, 2)], idempotency_key="k")
    assert raised.value.status == 409
    assert not Order.objects.exists()
    assert stock_of(product.id) == (10, 0)
