"""Stock writes. Every change is a conditional UPDATE, so concurrent orders can never oversell.

Holding limits: unpaid orders hold stock, so one customer may hold reserved at most, per product, the greater
of SHOP_HOLD_PRODUCT_UNITS and SHOP_HOLD_PRODUCT_PERCENT % of its stock on hand, and SHOP_HOLD_TOTAL_UNITS
units in all. They are checked where the reservations live, in the reserving transaction, under a lock per
customer (PostgreSQL: an advisory lock; SQLite: the write lock every transaction takes at its start), so
concurrent placements of one customer cannot pass them together."""
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, connections, router
from django.db.models import F, Sum

from shop.inventory.client import HoldLimitExceeded, InsufficientStock, ReservationReleased
from shop.inventory.models import OrderHold, Reservation, Stock
from shop.inventory.selectors import reservations_for_order, stock_get
from shop.platform.db import atomic
from shop.platform.errors import ShopError

MAX_ON_HAND = 10**12
MAX_QUANTITY = 1_000_000  # units one call may add, remove or reserve per product


class StockBelowReserved(ShopError):
    status = 409
    code = "stock-below-reserved"
    title = "Cannot remove stock that is reserved or missing"


class StockLimitExceeded(ShopError):
    status = 409
    code = "stock-limit-exceeded"
    title = f"Stock on hand cannot exceed {MAX_ON_HAND}"


def stock_add(*, product_id: int, quantity: int) -> Stock:
    with atomic(Stock):
        Stock.objects.get_or_create(product_id=product_id)
        updated = Stock.objects.filter(product_id=product_id, on_hand__lte=MAX_ON_HAND - quantity).update(
            on_hand=F("on_hand") + quantity
        )
        if not updated:
            raise StockLimitExceeded()
    return stock_get(product_id=product_id)


def stock_remove(*, product_id: int, quantity: int) -> Stock:
    with atomic(Stock):
        updated = Stock.objects.filter(product_id=product_id, on_hand__gte=F("reserved") + quantity).update(
            on_hand=F("on_hand") - quantity
        )
    if not updated:
        available = stock_get(product_id=product_id).available
        raise StockBelowReserved(f"Only {available} unreserved unit(s) of product {product_id} can be removed.")
    return stock_get(product_id=product_id)


def _reserved(order_id: int) -> list[Reservation]:
    if OrderHold.objects.filter(order_id=order_id, released=True).exists():
        raise ReservationReleased(f"Order {order_id}'s stock was released.")
    return reservations_for_order(order_id=order_id)


HOLDER_LOCKS = 0x686F6C64  # the advisory-lock space of customers' holdings ("hold")


def _lock_holder(user_id: int) -> None:
    """Waits for the customer's other reservations in progress; held until the transaction ends."""
    connection = connections[router.db_for_write(Stock)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [HOLDER_LOCKS, user_id % 2**31])


def _check_holding_limits(*, user_id: int, wanted: Counter) -> None:
    """Raises HoldLimitExceeded, saying which limit and why, when the customer would hold too much."""
    held = dict(Reservation.objects.filter(user_id=user_id, status=Reservation.Status.RESERVED)
                .values_list("product_id").annotate(units=Sum("quantity")))
    total = sum(held.values())
    if total + sum(wanted.values()) > settings.SHOP_HOLD_TOTAL_UNITS:
        raise HoldLimitExceeded(
            f"You hold {total} unpaid unit(s) and asked for {sum(wanted.values())} more; one customer may hold at "
            f"most {settings.SHOP_HOLD_TOTAL_UNITS} in all. Pay or cancel an order first.")
    on_hand = dict(Stock.objects.filter(product_id__in=wanted).values_list("product_id", "on_hand"))
    for product_id, quantity in sorted(wanted.items()):
        share = on_hand.get(product_id, 0) * settings.SHOP_HOLD_PRODUCT_PERCENT // 100
        limit = max(settings.SHOP_HOLD_PRODUCT_UNITS, share)
        if held.get(product_id, 0) + quantity > limit:
            raise HoldLimitExceeded(
                f"You hold {held.get(product_id, 0)} unpaid unit(s) of product {product_id} and asked for {quantity} "
                f"more; one customer may hold at most {limit} (the greater of {settings.SHOP_HOLD_PRODUCT_UNITS} "
                f"units and {settings.SHOP_HOLD_PRODUCT_PERCENT}% of its stock). Pay or cancel an order first.")


def stock_reserve(*, order_id: int, lines: list[tuple[int, int]], user_id: int) -> list[Reservation]:
    """Reserves all lines or none for the customer `user_id`, within their holding limits. Idempotent: a
    second call for the order returns the first result. Refused once the order was released, even if the
    release came first (the tombstone). Not enough stock is said before a holding limit."""
    merged = Counter()
    for product_id, quantity in lines:
        merged[product_id] += quantity
    try:
        with atomic(Stock):
            # The order's first reserve or release creates its hold; a repeat fails here and reads the outcome.
            OrderHold.objects.create(order_id=order_id)  # waits for a concurrent reserve/release of the order
            _lock_holder(user_id)
            for product_id, quantity in sorted(merged.items()):  # one lock order for all writers: no deadlocks
                taken = Stock.objects.filter(product_id=product_id, on_hand__gte=F("reserved") + quantity).update(
                    reserved=F("reserved") + quantity
                )
                if not taken:
                    raise InsufficientStock(f"Not enough stock for product {product_id}.")
            _check_holding_limits(user_id=user_id, wanted=merged)
            return Reservation.objects.bulk_create(
                Reservation(order_id=order_id, user_id=user_id, product_id=product_id, quantity=quantity)
                for product_id, quantity in sorted(merged.items())
            )
    except IntegrityError:  # reserved or released before, or a concurrent reserve or release of the order won
        return _reserved(order_id)


def _settle(*, order_id: int, to_status: str, sold: bool) -> int:
    """Moves the order's live reservations to `to_status`, taking the units off `on_hand` too when `sold`;
    returns how many lines moved."""
    moved = 0
    with atomic(Stock):
        for reservation in reservations_for_order(order_id=order_id):
            won = Reservation.objects.filter(pk=reservation.pk, status=Reservation.Status.RESERVED).update(
                status=to_status
            )
            if won:
                unheld = {"reserved": F("reserved") - reservation.quantity}
                if sold:
                    unheld["on_hand"] = F("on_hand") - reservation.quantity
                Stock.objects.filter(product_id=reservation.product_id).update(**unheld)
                moved += 1
    return moved


def stock_commit(*, order_id: int) -> int:
    """Turns a paid order's reservation into a sale: on_hand and reserved both drop. Idempotent."""
    return _settle(order_id=order_id, to_status=Reservation.Status.COMMITTED, sold=True)


def stock_release(*, order_id: int) -> int:
    """Gives a cancelled or expired order's reservation back and leaves a tombstone, so a reservation
    that arrives later (a slow or retried placement) is refused. Idempotent."""
    with atomic(Stock):
        hold, _ = OrderHold.objects.select_for_update().get_or_create(order_id=order_id, defaults={"released": True})
        if not hold.released:
            hold.released = True
            hold.save(update_fields=["released", "updated_at"])
        return _settle(order_id=order_id, to_status=Reservation.Status.RELEASED, sold=False)
