from decimal import Decimal

from django.db import IntegrityError

from shop.catalog.client import ProductNotFound
from shop.catalog.models import Product
from shop.platform.db import atomic
from shop.platform.errors import ShopError


class SkuTaken(ShopError):
    code = "sku-taken"
    title = "A product with this SKU already exists"


def _save(product: Product) -> Product:
    try:
        with atomic(Product):
            product.save()
    except IntegrityError as exc:
        raise SkuTaken(f"SKU {product.sku!r} is taken.") from exc
    return product


def product_create(*, name: str, price: Decimal, sku: str, description: str = "") -> Product:
    return _save(Product(name=name, price=price, sku=sku, description=description))


def product_update(*, product_id: int, **fields) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound(f"Product {product_id} does not exist.")
    for name, value in fields.items():
        setattr(product, name, value)
    return _save(product)


def product_delete(*, product_id: int) -> None:
    deleted, _ = Product.objects.filter(pk=product_id).delete()
    if not deleted:
        raise ProductNotFound(f"Product {product_id} does not exist.")
