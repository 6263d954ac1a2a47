"""The inventory's public door: other apps import only this module."""
from dataclasses import dataclass
from typing import Protocol

from shop.platform.remote import door
from shop.platform.errors import ServiceUnavailable, ShopError

# Celery task names other apps may put in their outbox (they run on the inventory queue).
STOCK_COMMIT_TASK = "inventory.stock_commit"
STOCK_RELEASE_TASK = "inventory.stock_release"


@dataclass(frozen=True)
class StockLevel:
    product_id: int
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class ReservationLine:
    product_id: int
    quantity: int


class InsufficientStock(ShopError):
    status = 409
    code = "insufficient-stock"
    title = "Not enough stock"


class HoldLimitExceeded(InsufficientStock):
    """One customer may hold only so many units unpaid (see shop/inventory/services.py: holding limits)."""

    code = "hold-limit-exceeded"
    title = "Too many units held unpaid by one customer"


class ReservationReleased(ShopError):
    status = 409
    code = "reservation-released"
    title = "This order's stock was already released; place a new order"


class InventoryClient(Protocol):
    def stock_get(self, *, product_id: int) -> StockLevel:
        """Current stock of a product (zeros when it was never stocked)."""

    def stock_add(self, *, product_id: int, quantity: int) -> StockLevel:
        """Adds stock to a product (the caller checked that it exists)."""

    def stock_reserve(self, *, order_id: int, lines: list[ReservationLine], user_id: int) -> list[ReservationLine]:
        """Reserves every line or none (InsufficientStock) for the customer `user_id`, within their holding
        limits (HoldLimitExceeded); idempotent per order; refused once the order's stock was released
        (ReservationReleased)."""

    def stock_release(self, *, order_id: int) -> None:
        """Releases what the order still holds and refuses any later reservation for it; idempotent."""


class InventoryUnavailable(ServiceUnavailable):
    code = "inventory-unavailable"
    title = "The inventory is unavailable"


DOOR = door.Door("inventory", unavailable=InventoryUnavailable)


def get_client() -> InventoryClient:
    return DOOR.client()
