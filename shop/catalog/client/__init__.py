"""The catalog's public door: other apps import only this module."""
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Protocol

from shop.platform.clients import client_for
from shop.platform.errors import ServiceUnavailable, ShopError


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    sku: str
    price: Decimal
    description: str


class ProductNotFound(ShopError):
    status = 404
    code = "product-not-found"
    title = "Product not found"


class CatalogUnavailable(ServiceUnavailable):
    code = "catalog-unavailable"
    title = "The catalog is unavailable"


class CatalogClient(Protocol):
    def product_get(self, *, product_id: int) -> Product:
        """The product, or ProductNotFound."""

    def products_get(self, *, product_ids: Iterable[int]) -> dict[int, Product]:
        """The products that exist among `product_ids`, by id."""


def get_client() -> CatalogClient:
    return client_for("catalog", "shop.catalog.client.local.LocalCatalogClient",
                      "shop.catalog.client.http.HttpCatalogClient")
