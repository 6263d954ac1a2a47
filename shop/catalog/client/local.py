"""In-process catalog client."""
from typing import Iterable

from shop.catalog import selectors
from shop.catalog.client import Product, ProductNotFound
from shop.platform.remote.wire import from_object


class LocalClient:
    def product_get(self, *, product_id: int) -> Product:
        product = selectors.product_get(product_id=product_id)
        if product is None:
            raise ProductNotFound(f"Product {product_id} does not exist.")
        return from_object(Product, product)

    def products_get(self, *, product_ids: Iterable[int]) -> dict[int, Product]:
        return {p.id: from_object(Product, p) for p in selectors.products_by_ids(product_ids=product_ids)}
