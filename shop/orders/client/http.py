"""Orders client over HTTP, for processes that do not host the orders app."""
from shop.orders.client import DOOR, OrderNotFound, OrderSummary
from shop.platform.http import ServiceClient


class HttpClient:
    def __init__(self):
        self.service = ServiceClient(DOOR, errors=(OrderNotFound,))

    def order_get(self, *, order_id: int) -> OrderSummary:
        return self.service.call("GET", f"/internal/orders/{order_id}", idempotent=True, returns=OrderSummary)
