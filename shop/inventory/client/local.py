"""In-process inventory client."""
from shop.inventory import selectors, services
from shop.inventory.client import ReservationLine, StockLevel


def to_dto(stock) -> StockLevel:
    return StockLevel(product_id=stock.product_id, on_hand=stock.on_hand, reserved=stock.reserved)


class LocalInventoryClient:
    def stock_get(self, *, product_id: int) -> StockLevel:
        return to_dto(selectors.stock_get(product_id=product_id))

    def stock_add(self, *, product_id: int, quantity: int) -> StockLevel:
        return to_dto(services.stock_add(product_id=product_id, quantity=quantity))

    def stock_reserve(self, *, order_id: int, lines: list[ReservationLine]) -> list[ReservationLine]:
        reservations = services.stock_reserve(order_id=order_id, lines=[(l.product_id, l.quantity) for l in lines])
        return [ReservationLine(product_id=r.product_id, quantity=r.quantity) for r in reservations]

    def stock_release(self, *, order_id: int) -> None:
        services.stock_release(order_id=order_id)
