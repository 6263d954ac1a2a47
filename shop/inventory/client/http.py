"""Inventory client over HTTP, for processes that do not host the inventory."""
from shop.inventory.client import (InsufficientStock, InventoryUnavailable, ReservationLine, ReservationReleased,
                                   StockLevel)
from shop.platform.http import ServiceClient


def to_dto(data: dict) -> StockLevel:
    return StockLevel(product_id=data["product_id"], on_hand=data["on_hand"], reserved=data["reserved"])


class HttpInventoryClient:
    def __init__(self):
        self.service = ServiceClient("inventory", unavailable=InventoryUnavailable, errors=(InsufficientStock, ReservationReleased))

    def stock_get(self, *, product_id: int) -> StockLevel:
        return to_dto(self.service.call("GET", f"/internal/inventory/stock/{product_id}", idempotent=True))

    def stock_add(self, *, product_id: int, quantity: int) -> StockLevel:
        return to_dto(self.service.call("POST", f"/internal/inventory/stock/{product_id}", data={"quantity": quantity}))

    def stock_reserve(self, *, order_id: int, lines: list[ReservationLine]) -> list[ReservationLine]:
        data = {"order_id": order_id, "lines": [{"product_id": l.product_id, "quantity": l.quantity} for l in lines]}
        rows = self.service.call("POST", "/internal/inventory/reservations", data=data, idempotent=True)
        return [ReservationLine(product_id=row["product_id"], quantity=row["quantity"]) for row in rows]

    def stock_release(self, *, order_id: int) -> None:
        self.service.call("POST", f"/internal/inventory/reservations/{order_id}/release", idempotent=True)
