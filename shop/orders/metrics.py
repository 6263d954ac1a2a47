"""Orders still in flight (placing, paying), read from the orders database at scrape time: an order stuck
there means a saga step or its repair stopped (the alert rules in deploy/k8s/base/prometheus-rules.yaml)."""
import logging

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from shop.orders.client import OrderStatus
from shop.orders.models import Order

logger = logging.getLogger(__name__)
IN_FLIGHT = (OrderStatus.PLACING, OrderStatus.PAYING)


class OrdersInFlight:
    def collect(self):
        count = GaugeMetricFamily("shop_orders_in_flight", "Orders placing or paying, by status.", labels=["status"])
        age = GaugeMetricFamily("shop_orders_in_flight_oldest_age_seconds",
                                "Seconds since the oldest order in this status last changed.", labels=["status"])
        try:
            rows = {row["status"]: row for row in Order.objects.filter(status__in=IN_FLIGHT).values("status")
                    .annotate(orders=Count("id"), oldest=Min("updated_at"))}
        except Exception:  # a scrape must answer even when the database does not
            logger.warning("metrics: cannot read the orders in flight", exc_info=True)
            return
        now = timezone.now()
        for status in IN_FLIGHT:
            row = rows.get(status.value)
            count.add_metric([status.value], row["orders"] if row else 0)
            age.add_metric([status.value], (now - row["oldest"]).total_seconds() if row else 0.0)
        yield count
        yield age
