"""In-process orders client."""
from shop.orders import selectors
from shop.orders.client import OrderNotFound, OrderSummary
from shop.platform.wire import from_object


class LocalClient:
    def order_get(self, *, order_id: int) -> OrderSummary:
        order = selectors.order_get(order_id=order_id)
        if order is None:
            raise OrderNotFound(f"Order {order_id} does not exist.")
        return from_object(OrderSummary, order)

    def orders_get(self, *, order_ids: list[int]) -> list[OrderSummary]:
        return [from_object(OrderSummary, order) for order in selectors.orders_by_id(order_ids=order_ids)]
