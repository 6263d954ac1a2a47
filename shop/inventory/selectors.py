from shop.inventory.models import Reservation, Stock


def stock_get(*, product_id: int) -> Stock:
    """The product's stock row, or an unsaved empty one when it was never stocked."""
    return Stock.objects.filter(product_id=product_id).first() or Stock(product_id=product_id)


def reservations_for_order(*, order_id: int) -> list[Reservation]:
    return list(Reservation.objects.filter(order_id=order_id).order_by("product_id"))
