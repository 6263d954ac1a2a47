"""Order use-cases: the place/pay/cancel/expire saga over the catalog and inventory clients."""
import logging
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from shop.catalog.client import get_client as catalog_client
from shop.inventory.client import (STOCK_COMMIT_TASK, STOCK_RELEASE_TASK, InsufficientStock, ReservationLine,
                                   ReservationReleased, get_client as inventory_client)
from shop.orders.models import Order, OrderLine, OrderOutbox, Payment
from shop.orders.payments import SUCCESS_CARD, PaymentDeclined, get_processor
from shop.platform.messaging import outbox
from shop.platform.db import atomic, on_a_live_connection, show_related
from shop.platform.remote.door import NotFound
from shop.platform.errors import ShopError

logger = logging.getLogger(__name__)
MAX_TOTAL = Decimal("999999999999.99")  # what Order.total (14 digits, 2 decimals) can hold


class OrderNotFound(NotFound):
    code = "order-not-found"
    title = "Order not found"


class UnknownProducts(ShopError):
    code = "unknown-products"
    title = "The order names products that do not exist"


class OrderTotalTooLarge(ShopError):
    code = "order-total-too-large"
    title = f"An order's total cannot exceed {MAX_TOTAL}"


class TooManyPendingOrders(ShopError):
    status = 409
    code = "too-many-pending-orders"
    title = "Too many unpaid orders"


class OrderNotPayable(ShopError):
    status = 409
    code = "order-not-payable"
    title = "Only pending orders can be paid"


class OrderNotCancellable(ShopError):
    status = 409
    code = "order-not-cancellable"
    title = "Only pending orders can be cancelled"


def _locked(*, order_id: int, user_id: int | None) -> Order:
    orders = Order.objects.select_for_update().exclude(status=Order.Status.PLACING)
    if user_id is not None:
        orders = orders.filter(user_id=user_id)
    order = orders.filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound(f"Order {order_id} does not exist.")
    return order


def _locked_for_transition(*, order_id: int, user_id: int, to: str, refused: type[ShopError]) -> Order:
    """The locked order, pending or already `to` (then the transition is a repeat and a no-op); raises
    `refused` for any other status."""
    order = _locked(order_id=order_id, user_id=user_id)
    if order.status not in (Order.Status.PENDING, to):
        raise refused(f"Order {order_id} is {order.status}.")
    return order


def _create(*, user_id: int, quantities: Counter, idempotency_key: str | None) -> Order:
    products = catalog_client().products_get(product_ids=quantities.keys())
    missing = sorted(set(quantities) - set(products))
    if missing:
        raise UnknownProducts(f"Unknown product id(s): {', '.join(map(str, missing))}.")
    total = sum((products[pid].price * qty for pid, qty in quantities.items()), Decimal("0"))
    if total > MAX_TOTAL:
        raise OrderTotalTooLarge()
    with atomic(Order):
        order = Order.objects.create(user_id=user_id, total=total, idempotency_key=idempotency_key)
        lines = OrderLine.objects.bulk_create(
            OrderLine(order=order, product_id=pid, name=products[pid].name, sku=products[pid].sku,
                      unit_price=products[pid].price, quantity=qty)
            for pid, qty in sorted(quantities.items())
        )
    show_related(order, "lines", lines)  # the rows just written: none is read back
    return order


def _abandon(order: Order) -> None:
    """Deletes an order whose placement failed; the reservation may have happened, so release it reliably."""
    with atomic(Order):
        outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=order.id)
        order.delete()


def _reserve(order: Order) -> Order:
    """Reserves the order's stock and shows the order; any failure removes it at once, even when the
    failure is this request's own dead database connection, so nothing is left `placing`."""
    try:
        lines = [ReservationLine(product_id=line.product_id, quantity=line.quantity) for line in order.lines.all()]
        inventory_client().stock_reserve(order_id=order.id, lines=lines, user_id=order.user_id)
        shown = Order.objects.filter(pk=order.pk, status=Order.Status.PLACING).update(status=Order.Status.PENDING)
    except (InsufficientStock, ReservationReleased):
        on_a_live_connection(Order, order.delete)
        raise
    except Exception:
        on_a_live_connection(Order, lambda: _abandon(order))
        raise
    if shown:
        order.status = Order.Status.PENDING  # the only column the update wrote
    else:  # another request of the same key got there first
        order.refresh_from_db()
    return order


def _placed_with(*, user_id: int, idempotency_key: str | None) -> Order | None:
    """The order this key placed within SHOP_IDEMPOTENCY_TTL. An older order gives its key up, so the
    key is new again once its idempotency record is purged (as Stripe forgets keys)."""
    if idempotency_key is None:
        return None
    order = Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key).first()
    if order is not None and order.created_at < timezone.now() - timedelta(seconds=settings.SHOP_IDEMPOTENCY_TTL):
        Order.objects.filter(pk=order.pk).update(idempotency_key=None)
        return None
    return order


def _check_pending_cap(*, user_id: int) -> None:
    """Unpaid orders hold stock: one customer may hold at most SHOP_MAX_PENDING_ORDERS of them (a few more
    only if that many of their placements race; the per-user order throttle bounds those)."""
    held = Order.objects.filter(user_id=user_id, status__in=(Order.Status.PLACING, Order.Status.PENDING, Order.Status.PAYING)).count()
    if held >= settings.SHOP_MAX_PENDING_ORDERS:
        raise TooManyPendingOrders(f"You have {held} unpaid orders; pay or cancel one before placing another.")


def order_place(*, user_id: int, lines: list[tuple[int, int]], idempotency_key: str | None = None) -> Order:
    """Prices the lines from the catalog, saves the order, then reserves all its stock or none."""
    existing = _placed_with(user_id=user_id, idempotency_key=idempotency_key)
    if existing is not None:
        return _reserve(existing) if existing.status == Order.Status.PLACING else existing
    _check_pending_cap(user_id=user_id)
    quantities = Counter()
    for product_id, quantity in lines:
        quantities[product_id] += quantity
    try:
        order = _create(user_id=user_id, quantities=quantities, idempotency_key=idempotency_key)
    except IntegrityError:  # the same key raced us: the other request owns the order
        winner = Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key).first()
        if idempotency_key is None or winner is None:
            raise
        return _reserve(winner) if winner.status == Order.Status.PLACING else winner
    return _reserve(order)


def _start_payment(*, order_id: int, user_id: int) -> Order:
    """Marks a pending order `paying` under a new processor key (one per attempt), or returns it paid."""
    with atomic(Order):
        order = _locked_for_transition(order_id=order_id, user_id=user_id, to=Order.Status.PAID,
                                       refused=OrderNotPayable)
        if order.status == Order.Status.PAID:
            return order
        if order.created_at < timezone.now() - timedelta(seconds=settings.SHOP_RESERVATION_TTL):
            raise OrderNotPayable(f"Order {order_id}'s reservation has expired.")
        order.status, order.payment_key = Order.Status.PAYING, f"order-{order.id}-{uuid.uuid4().hex[:16]}"
        order.save(update_fields=["status", "payment_key", "updated_at"])
    return order


def _settle_payment(*, order_id: int, payment_key: str, charge_id: str | None) -> Order:
    """Applies the processor's answer to attempt `payment_key`: paid, with the stock commit announced, or
    (no charge) pending again. A no-op once the attempt was settled."""
    with atomic(Order):
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != Order.Status.PAYING or order.payment_key != payment_key:
            return order
        order.status = Order.Status.PAID if charge_id else Order.Status.PENDING
        order.save(update_fields=["status", "updated_at"])
        if charge_id:
            Payment.objects.create(order=order, amount=order.total, charge_id=charge_id)
            outbox.enqueue(OrderOutbox, task=STOCK_COMMIT_TASK, order_id=order.id)
    return order


def order_pay(*, order_id: int, user_id: int, card_number: str = SUCCESS_CARD) -> Order:
    """Charges in two steps, calling the processor outside any transaction or lock; a decline returns the
    order to pending. Stock is committed by the inventory's task."""
    order = _start_payment(order_id=order_id, user_id=user_id)
    if order.status == Order.Status.PAID:
        return order
    def settle(charge_id: str | None) -> Order:  # the answer must land, even if our connection died meanwhile
        return on_a_live_connection(Order, lambda: _settle_payment(order_id=order.id, payment_key=order.payment_key,
                                                                charge_id=charge_id))

    try:
        charge_id = get_processor().charge(amount=order.total, card_number=card_number,
                                           idempotency_key=order.payment_key)
    except PaymentDeclined:
        settle(None)
        raise
    return settle(charge_id)


def payments_recover() -> int:
    """Settles orders left `paying` longer than SHOP_PAYMENT_RECOVER_AFTER (a crash or a processor timeout
    between charge and commit) by looking the charge up under the attempt's key. Each order on its own: one
    whose lookup fails is logged and left paying for the next sweep, the rest of the batch goes on.
    Returns how many were settled."""
    cutoff = timezone.now() - timedelta(seconds=settings.SHOP_PAYMENT_RECOVER_AFTER)
    stuck = list(Order.objects.filter(status=Order.Status.PAYING, updated_at__lt=cutoff).order_by("pk")
                 .values_list("pk", "payment_key")[:500])
    settled = 0
    for order_id, payment_key in stuck:
        try:
            charge_id = get_processor().charge_made(idempotency_key=payment_key)
            order = _settle_payment(order_id=order_id, payment_key=payment_key, charge_id=charge_id)
        except Exception:  # noqa: BLE001 - any failure of this one order; the next sweep tries it again
            logger.exception("payments: could not recover order %s, left paying", order_id)
            continue
        settled += 1
        logger.warning("payments: order %s was left paying; now %s", order_id, order.status)
    return settled


def _close(order: Order, status: str) -> Order:
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=order.id)
    return order


def order_cancel(*, order_id: int, user_id: int) -> Order:
    """Cancels a pending order; its reservation is released by the inventory's task."""
    with atomic(Order):
        order = _locked_for_transition(order_id=order_id, user_id=user_id, to=Order.Status.CANCELLED,
                                       refused=OrderNotCancellable)
        return order if order.status == Order.Status.CANCELLED else _close(order, Order.Status.CANCELLED)


def _expiry_cutoffs(now) -> dict[str, object]:
    """How old an order of each expirable status must be to expire."""
    return {Order.Status.PENDING: now - timedelta(seconds=settings.SHOP_RESERVATION_TTL),
            Order.Status.PLACING: now - timedelta(seconds=settings.SHOP_PLACING_TIMEOUT)}


def orders_expire() -> int:
    """Expires pending orders past SHOP_RESERVATION_TTL and orders stuck while placing. Status and age
    are checked again under the lock: a placing order may have become pending (and young) meanwhile."""
    cutoffs = _expiry_cutoffs(timezone.now())
    stale = Order.objects.none()
    for status, cutoff in cutoffs.items():
        stale |= Order.objects.filter(status=status, created_at__lt=cutoff)
    expired = 0
    for order_id in stale.values_list("pk", flat=True)[:1000]:
        with atomic(Order):
            order = Order.objects.select_for_update().filter(pk=order_id).first()
            if order and order.status in cutoffs and order.created_at < cutoffs[order.status]:
                _close(order, Order.Status.EXPIRED)
                expired += 1
    return expired
