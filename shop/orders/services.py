"""Order use-cases: the place/pay/cancel/expire saga over the catalog and inventory clients."""
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from shop.catalog.client import get_client as catalog_client
from shop.inventory.client import (STOCK_COMMIT_TASK, STOCK_RELEASE_TASK, InsufficientStock, ReservationLine,
                                   get_client as inventory_client)
from shop.orders.client import OrderNotFound
from shop.orders.models import Order, OrderLine, OrderOutbox, Payment
from shop.orders.payments import SUCCESS_CARD, get_processor
from shop.platform import outbox
from shop.platform.db import atomic
from shop.platform.errors import ShopError

PLACING_TIMEOUT = timedelta(minutes=2)
MAX_TOTAL = Decimal("999999999999.99")  # what Order.total (14 digits, 2 decimals) can hold


class UnknownProducts(ShopError):
    code = "unknown-products"
    title = "The order names products that do not exist"


class OrderTotalTooLarge(ShopError):
    code = "order-total-too-large"
    title = f"An order's total cannot exceed {MAX_TOTAL}"


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
        OrderLine.objects.bulk_create(
            OrderLine(order=order, product_id=pid, name=products[pid].name, sku=products[pid].sku,
                      unit_price=products[pid].price, quantity=qty)
            for pid, qty in sorted(quantities.items())
        )
    return order


def _reserve(order: Order) -> Order:
    lines = [ReservationLine(product_id=l.product_id, quantity=l.quantity) for l in order.lines.all()]
    try:
        inventory_client().stock_reserve(order_id=order.id, lines=lines)
    except InsufficientStock:
        order.delete()
        raise
    except Exception:
        with atomic(Order):  # the reservation may have happened: undo it reliably
            outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=order.id)
            order.delete()
        raise
    Order.objects.filter(pk=order.pk, status=Order.Status.PLACING).update(status=Order.Status.PENDING)
    order.refresh_from_db()
    return order


def order_place(*, user_id: int, lines: list[tuple[int, int]], idempotency_key: str | None = None) -> Order:
    """Prices the lines from the catalog, saves the order, then reserves all its stock or none."""
    existing = Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key).first() if idempotency_key else None
    if existing is not None:
        return _reserve(existing) if existing.status == Order.Status.PLACING else existing
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


def order_pay(*, order_id: int, user_id: int, card_number: str = SUCCESS_CARD) -> Order:
    """Charges once and marks the order paid; stock is committed by the inventory's task."""
    with atomic(Order):
        order = _locked_for_transition(order_id=order_id, user_id=user_id, to=Order.Status.PAID,
                                       refused=OrderNotPayable)
        if order.status == Order.Status.PAID:
            return order
        if order.created_at < timezone.now() - timedelta(seconds=settings.SHOP_RESERVATION_TTL):
            raise OrderNotPayable(f"Order {order_id}'s reservation has expired.")
        charge_id = get_processor().charge(amount=order.total, card_number=card_number,
                                           idempotency_key=f"order-{order.id}")
        Payment.objects.create(order=order, amount=order.total, charge_id=charge_id)
        order.status = Order.Status.PAID
        order.save(update_fields=["status", "updated_at"])
        outbox.enqueue(OrderOutbox, task=STOCK_COMMIT_TASK, order_id=order.id)
    return order


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


def orders_expire() -> int:
    """Expires pending orders past SHOP_RESERVATION_TTL and orders stuck while placing."""
    now = timezone.now()
    stale = (Order.objects.filter(status=Order.Status.PENDING,
                                  created_at__lt=now - timedelta(seconds=settings.SHOP_RESERVATION_TTL))
             | Order.objects.filter(status=Order.Status.PLACING, created_at__lt=now - PLACING_TIMEOUT))
    expired = 0
    for order_id in stale.values_list("pk", flat=True)[:1000]:
        with atomic(Order):
            order = Order.objects.select_for_update().filter(pk=order_id).first()
            if order and order.status in (Order.Status.PENDING, Order.Status.PLACING):
                _close(order, Order.Status.EXPIRED)
                expired += 1
    return expired
