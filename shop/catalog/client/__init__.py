"""The catalog's public door: other apps import only this module."""
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Protocol

from shop.platform.errors import ServiceUnavailable
from shop.platform.remote import door


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    sku: str
    price: Decimal
    description: str


class ProductNotFound(door.NotFound):
    code = "product-not-found"
    title = "Product not found"


class CatalogClient(Protocol):
    def product_get(self, *, product_id: int) -> Product:
        """The product, or ProductNotFound."""

    def products_get(self, *, product_ids: Iterable[int]) -> dict[int, Product]:
        """The products that exist among `product_ids`, by id."""


class CatalogUnavailable(ServiceUnavailable):
    code = "catalog-unavailable"
    title = "The catalog is unavailable"


DOOR = door.Door("catalog", unavailable=CatalogUnavailable)


def get_client() -> CatalogClient:
    return DOOR.client()
