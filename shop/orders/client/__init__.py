"""The orders app's public door: other apps import only this module."""
from dataclasses import dataclass
from enum import StrEnum
from decimal import Decimal
from typing import Protocol

from shop.platform.clients import client_for
from shop.platform.errors import ServiceUnavailable, ShopError


class OrderStatus(StrEnum):
    PLACING = "placing"  # saved, stock not yet reserved; never shown to customers
    PENDING = "pending"
    PAYING = "paying"  # the processor is being asked; settled by its answer, or by payments_recover()
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class OrderSummary:
    id: int
    user_id: int
    status: str
    total: Decimal


class OrderNotFound(ShopError):
    status = 404
    code = "order-not-found"
    title = "Order not found"


class OrdersUnavailable(ServiceUnavailable):
    code = "orders-unavailable"
    title = "The orders service is unavailable"


class OrdersClient(Protocol):
    def order_get(self, *, order_id: int) -> OrderSummary:
        """The order, or OrderNotFound."""

    def order_statuses(self, *, order_ids: list[int]) -> dict[int, str]:
        """Each existing order's status, `placing` included; ids of missing orders are left out."""


def get_client() -> OrdersClient:
    return client_for("orders", "shop.orders.client.local.LocalOrdersClient",
                      "shop.orders.client.http.HttpOrdersClient")
