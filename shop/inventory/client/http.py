"""Inventory client over HTTP, for processes that do not host the inventory."""
from shop.inventory.client import (DOOR, HoldLimitExceeded, InsufficientStock, ReservationLine, ReservationReleased,
                                   StockLevel)
from shop.inventory.routes import ROUTES
from shop.platform.remote.http import ServiceClient
from shop.platform.config.routes import path_to
from shop.platform.remote.wire import encode


class HttpClient:
    def __init__(self):
        self.service = ServiceClient(DOOR, errors=(HoldLimitExceeded, InsufficientStock, ReservationReleased))

    def stock_get(self, *, product_id: int) -> StockLevel:
        path = path_to(ROUTES, "internal-stock", product_id=product_id)
        return self.service.call("GET", path, idempotent=True, returns=StockLevel)

    def stock_add(self, *, product_id: int, quantity: int) -> StockLevel:
        path = path_to(ROUTES, "internal-stock", product_id=product_id)
        return self.service.call("POST", path, data={"quantity": quantity}, returns=StockLevel)

    def stock_reserve(self, *, order_id: int, lines: list[ReservationLine], user_id: int) -> list[ReservationLine]:
        """The customer travels in the service token (its `sub`), as on every call made for a user."""
        return self.service.call("POST", path_to(ROUTES, "internal-reservations"),
                                 data={"order_id": order_id, "lines": encode(lines)}, idempotent=True,
                                 user_id=user_id, returns=list[ReservationLine])

    def stock_release(self, *, order_id: int) -> None:
        self.service.call("POST", path_to(ROUTES, "internal-release", order_id=order_id), idempotent=True)
