from django.db.models import QuerySet

from shop.orders.models import Order


def order_list(*, user_id: int) -> QuerySet[Order]:
    """The user's orders, newest first, without those still being placed."""
    return (Order.objects.filter(user_id=user_id).exclude(status=Order.Status.PLACING)
            .prefetch_related("lines").order_by("-id"))


def orders_by_id(*, order_ids: list[int]) -> QuerySet[Order]:
    """The orders among these ids, in any status (`placing` included), for the other apps' repairs."""
    return Order.objects.filter(pk__in=order_ids).order_by("pk")


def order_get(*, order_id: int, user_id: int) -> Order | None:
    """The user's order, unless it is still being placed."""
    return (Order.objects.exclude(status=Order.Status.PLACING).prefetch_related("lines")
            .filter(pk=order_id, user_id=user_id).first())
