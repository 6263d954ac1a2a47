"""The orders app's public door: other apps import only this module."""
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from shop.platform.errors import ServiceUnavailable
from shop.platform.remote import door


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


class OrdersClient(Protocol):
    def orders_get(self, *, order_ids: list[int]) -> list[OrderSummary]:
        """The orders that exist among these ids, in any status (`placing` included); missing ids are left out."""


class OrdersUnavailable(ServiceUnavailable):
    code = "orders-unavailable"
    title = "The orders service is unavailable"


DOOR = door.Door("orders", unavailable=OrdersUnavailable)


def get_client() -> OrdersClient:
    return DOOR.client()
