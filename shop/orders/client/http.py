"""Orders client over HTTP, for processes that do not host the orders app."""
from shop.orders.client import DOOR, OrderSummary
from shop.orders.routes import ROUTES
from shop.platform.remote.http import ServiceClient
from shop.platform.config.routes import path_to


class HttpClient:
    def __init__(self):
        self.service = ServiceClient(DOOR)

    def orders_get(self, *, order_ids: list[int]) -> list[OrderSummary]:
        return self.service.call("POST", path_to(ROUTES, "internal-orders-lookup"), data={"order_ids": order_ids},
                                 idempotent=True, returns=list[OrderSummary])
