"""In-process inventory client."""
from shop.inventory import selectors, services
from shop.inventory.client import ReservationLine, StockLevel


class LocalInventoryClient:
    def stock_get(self, *, product_id: int) -> StockLevel:
        stock = selectors.stock_get(product_id=product_id)
        return StockLevel(product_id=product_id, on_hand=stock.on_hand, reserved=stock.reserved)

    def stock_reserve(self, *, order_id: int, lines: list[ReservationLine]) -> list[ReservationLine]:
        reservations = services.stock_reserve(order_id=order_id, lines=[(l.product_id, l.quantity) for l in lines])
        return [ReservationLine(product_id=r.product_id, quantity=r.quantity) for r in reservations]

    def stock_release(self, *, order_id: int) -> None:
        services.stock_release(order_id=order_id)
