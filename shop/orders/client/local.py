"""In-process orders client."""
from shop.orders import selectors
from shop.orders.client import OrderNotFound, OrderSummary


class LocalOrdersClient:
    def order_get(self, *, order_id: int) -> OrderSummary:
        order = selectors.order_get(order_id=order_id)
        if order is None:
            raise OrderNotFound(f"Order {order_id} does not exist.")
        return OrderSummary(id=order.id, user_id=order.user_id, status=order.status, total=order.total)

    def order_statuses(self, *, order_ids: list[int]) -> dict[int, str]:
        return selectors.order_statuses(order_ids=order_ids)
