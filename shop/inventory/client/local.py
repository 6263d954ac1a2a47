"""In-process inventory client."""
from shop.inventory import selectors, services
from shop.inventory.client import ReservationLine, StockLevel
from shop.platform.remote.wire import from_object


class LocalClient:
    def stock_get(self, *, product_id: int) -> StockLevel:
        return from_object(StockLevel, selectors.stock_get(product_id=product_id))

    def stock_add(self, *, product_id: int, quantity: int) -> StockLevel:
        return from_object(StockLevel, services.stock_add(product_id=product_id, quantity=quantity))

    def stock_reserve(self, *, order_id: int, lines: list[ReservationLine], user_id: int) -> list[ReservationLine]:
        pairs = [(line.product_id, line.quantity) for line in lines]
        reservations = services.stock_reserve(order_id=order_id, lines=pairs, user_id=user_id)
        return [from_object(ReservationLine, reservation) for reservation in reservations]

    def stock_release(self, *, order_id: int) -> None:
        services.stock_release(order_id=order_id)
