"""Inventory client over HTTP, for processes that do not host the inventory."""
from shop.inventory.client import DOOR, InsufficientStock, ReservationLine, StockLevel
from shop.platform.http import ServiceClient
from shop.platform.wire import encode


class HttpClient:
    def __init__(self):
        self.service = ServiceClient(DOOR, errors=(InsufficientStock,))

    def stock_get(self, *, product_id: int) -> StockLevel:
        return self.service.call("GET", f"/internal/inventory/stock/{product_id}", idempotent=True,
                                 returns=StockLevel)

    def stock_add(self, *, product_id: int, quantity: int) -> StockLevel:
        return self.service.call("POST", f"/internal/inventory/stock/{product_id}", data={"quantity": quantity},
                                 returns=StockLevel)

    def stock_reserve(self, *, order_id: int, lines: list[ReservationLine]) -> list[ReservationLine]:
        return self.service.call("POST", "/internal/inventory/reservations",
                                 data={"order_id": order_id, "lines": encode(lines)}, idempotent=True,
                                 returns=list[ReservationLine])

    def stock_release(self, *, order_id: int) -> None:
        self.service.call("POST", f"/internal/inventory/reservations/{order_id}/release", idempotent=True)
