"""Catalog client over HTTP, for processes that do not host the catalog."""
from decimal import Decimal
from typing import Iterable

from shop.catalog.client import CatalogUnavailable, Product, ProductNotFound
from shop.platform.http import ServiceClient


def to_dto(data: dict) -> Product:
    return Product(id=data["id"], name=data["name"], sku=data["sku"], price=Decimal(data["price"]),
                   description=data["description"])


class HttpCatalogClient:
    def __init__(self):
        self.service = ServiceClient("catalog", unavailable=CatalogUnavailable, errors=(ProductNotFound,))

    def products_get(self, *, product_ids: Iterable[int]) -> dict[int, Product]:
        ids = sorted(set(product_ids))
        if not ids:
            return {}
        rows = self.service.call("GET", "/internal/catalog/products", params={"ids": ",".join(map(str, ids))},
                                 idempotent=True)
        return {row["id"]: to_dto(row) for row in rows}

    def product_get(self, *, product_id: int) -> Product:
        products = self.products_get(product_ids=[product_id])
        if product_id not in products:
            raise ProductNotFound(f"Product {product_id} does not exist.")
        return products[product_id]
