"""The stock reconciler: compares the orders' states with live reservations and repairs what the
saga left behind (a lost task message, a dead connection mid-order, a dead-lettered task)."""
import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from shop.inventory import services
from shop.inventory.models import Reservation
from shop.orders.client import OrderStatus, get_client as orders_client

logger = logging.getLogger(__name__)
BATCH = 500
RELEASE_WHEN = (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.PLACING, None)  # None: no such order


def stock_reconcile() -> Counter:
    """Commits the live reservations of paid orders; releases those of cancelled, expired or missing
    orders and of orders stuck placing. Reservations younger than SHOP_RECONCILE_AFTER are left to the
    saga. Idempotent (each repair is the saga's own step). Returns what it checked and changed."""
    cutoff = timezone.now() - timedelta(seconds=settings.SHOP_RECONCILE_AFTER)
    order_ids = list(Reservation.objects.filter(status=Reservation.Status.RESERVED, created_at__lt=cutoff)
                     .values_list("order_id", flat=True).distinct().order_by("order_id")[:BATCH])
    orders = orders_client().orders_get(order_ids=order_ids) if order_ids else []
    statuses = {order.id: order.status for order in orders}
    report = Counter(checked=len(order_ids))
    for order_id in order_ids:
        status = statuses.get(order_id)
        if status == OrderStatus.PAID:
            action, moved = "committed", services.stock_commit(order_id=order_id)
        elif status in RELEASE_WHEN:
            action, moved = "released", services.stock_release(order_id=order_id)
        else:
            continue
        if moved:
            report[action] += 1
            logger.warning("reconcile: order %s is %s: %s its reservation", order_id, status or "missing", action)
    return report
