"""Payment in two steps: `paying` is committed before the processor is asked, outside any transaction
or lock, with a key per attempt; a decline returns to pending; a crash in between is recovered."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from shop.orders import services
from shop.orders.models import Order, OrderOutbox, Payment
from shop.orders.payments import PaymentDeclined, SimulatedProcessor
from tests.factories import make_user, stock_of

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")  # so "outside a transaction" shows
DECLINED_CARD = "4000000000000002"


@pytest.fixture
def order(product):
    return services.order_place(user_id=make_user().id, lines=[(product.id, 2)])


class WatchingProcessor(SimulatedProcessor):
    """The simulation, noting what the orders database looked like while it was asked."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def charge(self, *, amount: Decimal, card_number: str, idempotency_key: str) -> str:
        self.seen.append((connections["orders"].in_atomic_block, Order.objects.get().status, idempotency_key))
        return super().charge(amount=amount, card_number=card_number, idempotency_key=idempotency_key)


@pytest.fixture
def processor(monkeypatch):
    watching = WatchingProcessor()
    monkeypatch.setattr(services, "get_processor", lambda: watching)
    return watching


def test_the_processor_is_asked_outside_the_transaction_with_the_order_paying(order, processor):
    paid = services.order_pay(order_id=order.id, user_id=order.user_id)

    assert paid.status == "paid"
    (in_transaction, status, key), = processor.seen
    assert (in_transaction, status) == (False, "paying")
    assert key == paid.payment_key and key.startswith(f"order-{order.id}-")


def test_each_attempt_has_its_own_processor_key_so_a_good_card_works_after_a_decline(order, processor):
    with pytest.raises(PaymentDeclined):
        services.order_pay(order_id=order.id, user_id=order.user_id, card_number=DECLINED_CARD)
    assert Order.objects.get().status == "pending"

    assert services.order_pay(order_id=order.id, user_id=order.user_id).status == "paid"
    first_key, second_key = (key for _, _, key in processor.seen)
    assert first_key != second_key


def test_an_order_being_paid_cannot_be_paid_again_cancelled_or_expired(order, settings):
    Order.objects.update(status=Order.Status.PAYING, created_at=timezone.now() - timedelta(days=1))

    with pytest.raises(services.OrderNotPayable):
        services.order_pay(order_id=order.id, user_id=order.user_id)
    with pytest.raises(services.OrderNotCancellable):
        services.order_cancel(order_id=order.id, user_id=order.user_id)
    assert services.orders_expire() == 0


@pytest.mark.parametrize("charged", [True, False], ids=["charged", "not-charged"])
def test_a_crash_between_charge_and_commit_is_recovered_by_looking_the_charge_up(
        order, product, processor, monkeypatch, settings, charged):
    def crash(**kwargs):
        raise OperationalError("the orders process died here")

    if not charged:
        monkeypatch.setattr(processor, "charge", crash)  # it died before the processor was reached
    monkeypatch.setattr(services, "_settle_payment", crash)
    with pytest.raises(OperationalError):
        services.order_pay(order_id=order.id, user_id=order.user_id)
    monkeypatch.undo()
    monkeypatch.setattr(services, "get_processor", lambda: processor)
    assert Order.objects.get().status == "paying"
    assert services.payments_recover() == 0  # too young: the request may still be running

    Order.objects.update(updated_at=timezone.now() - timedelta(seconds=settings.SHOP_PAYMENT_RECOVER_AFTER + 1))
    assert services.payments_recover() == 1

    assert Order.objects.get().status == ("paid" if charged else "pending")
    assert Payment.objects.count() == OrderOutbox.objects.count() == int(charged)
    assert stock_of(product.id) == ((8, 0) if charged else (10, 2))


def test_the_expiry_sweep_rechecks_the_age_of_the_status_it_finds_under_the_lock(order, settings):
    """A placing order old enough for the placing timeout that became pending meanwhile is not expired."""
    settings.SHOP_RESERVATION_TTL = 3600
    Order.objects.update(status=Order.Status.PLACING,
                         created_at=timezone.now() - timedelta(seconds=2 * settings.SHOP_PLACING_TIMEOUT))

    def became_pending(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("SELECT") and "placing" in list(params or ()):
            with connections["orders"].cursor() as other:  # the placement finishing, between sweep and lock
                other.execute('UPDATE "orders_order" SET "status" = %s', ["pending"])
        return result

    with connections["orders"].execute_wrapper(became_pending):
        assert services.orders_expire() == 0
    assert Order.objects.get().status == "pending"


def test_one_order_whose_charge_lookup_keeps_failing_does_not_stop_the_recovery_of_the_others(
        product, processor, monkeypatch, caplog):
    orders = [services.order_place(user_id=make_user().id, lines=[(product.id, 1)]) for _ in range(3)]
    for order in orders:
        Order.objects.filter(pk=order.id).update(status=Order.Status.PAYING, payment_key=f"order-{order.id}",
                                                 updated_at=timezone.now() - timedelta(days=1))
    broken = orders[0].id

    def charge_made(*, idempotency_key):
        if idempotency_key == f"order-{broken}":
            raise ConnectionError("the processor cannot find this one")
        return None

    monkeypatch.setattr(processor, "charge_made", charge_made)
    assert services.payments_recover() == 2

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses.pop(broken) == "paying"  # left for the next sweep
    assert set(statuses.values()) == {"pending"}
    assert f"order {broken}" in caplog.text
