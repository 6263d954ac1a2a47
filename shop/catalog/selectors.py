from typing import Iterable

from django.db.models import QuerySet

from shop.catalog.models import Product


def product_list() -> QuerySet[Product]:
    return Product.objects.order_by("id")


def product_get(*, product_id: int) -> Product | None:
    return Product.objects.filter(pk=product_id).first()


def products_by_ids(*, product_ids: Iterable[int]) -> QuerySet[Product]:
    return Product.objects.filter(pk__in=list(product_ids))
