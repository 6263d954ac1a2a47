"""Orders client over HTTP, for processes that do not host the orders app."""
from decimal import Decimal

from shop.orders.client import OrderNotFound, OrdersUnavailable, OrderSummary
from shop.platform.http import ServiceClient


class HttpOrdersClient:
    def __init__(self):
        self.service = ServiceClient("orders", unavailable=OrdersUnavailable, errors=(OrderNotFound,))

    def order_get(self, *, order_id: int) -> OrderSummary:
        data = self.service.call("GET", f"/internal/orders/{order_id}", idempotent=True)
        return OrderSummary(id=data["id"], user_id=data["user_id"], status=data["status"], total=Decimal(data["total"]))

    def order_statuses(self, *, order_ids: list[int]) -> dict[int, str]:
        data = self.service.call("POST", "/internal/orders/statuses", data={"order_ids": order_ids}, idempotent=True)
        return {int(order_id): status for order_id, status in data.items()}
