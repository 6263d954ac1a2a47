"""The orders app's public door: other apps import only this module."""
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from shop.platform import door

DOOR = door.Door("orders", unavailable="The orders service is unavailable")
OrdersUnavailable = DOOR.unavailable


@dataclass(frozen=True)
class OrderSummary:
    id: int
    user_id: int
    status: str
    total: Decimal


class OrderNotFound(door.NotFound):
    code = "order-not-found"
    title = "Order not found"


class OrdersClient(Protocol):
    def order_get(self, *, order_id: int) -> OrderSummary:
        """The order, or OrderNotFound."""


def get_client() -> OrdersClient:
    return DOOR.client()
