"""Catalog client over HTTP, for processes that do not host the catalog."""
from typing import Iterable

from shop.catalog.client import DOOR, Product, ProductNotFound
from shop.catalog.routes import ROUTES
from shop.platform.remote.http import ServiceClient
from shop.platform.config.routes import path_to


class HttpClient:
    def __init__(self):
        self.service = ServiceClient(DOOR, errors=(ProductNotFound,))

    def products_get(self, *, product_ids: Iterable[int]) -> dict[int, Product]:
        ids = sorted(set(product_ids))
        if not ids:
            return {}
        products = self.service.call("GET", path_to(ROUTES, "internal-products"),
                                     params={"ids": ",".join(map(str, ids))}, idempotent=True, returns=list[Product])
        return {product.id: product for product in products}

    def product_get(self, *, product_id: int) -> Product:
        products = self.products_get(product_ids=[product_id])
        if product_id not in products:
            raise ProductNotFound(f"Product {product_id} does not exist.")
        return products[product_id]
