"""In-process catalog client."""
from typing import Iterable

from shop.catalog import selectors
from shop.catalog.client import Product, ProductNotFound
from shop.catalog.models import Product as _Product


def to_dto(product: _Product) -> Product:
    return Product(id=product.id, name=product.name, sku=product.sku, price=product.price,
                   description=product.description)


class LocalCatalogClient:
    def product_get(self, *, product_id: int) -> Product:
        product = selectors.product_get(product_id=product_id)
        if product is None:
            raise ProductNotFound(f"Product {product_id} does not exist.")
        return to_dto(product)

    def products_get(self, *, product_ids: Iterable[int]) -> dict[int, Product]:
        return {p.id: to_dto(p) for p in selectors.products_by_ids(product_ids=product_ids)}
