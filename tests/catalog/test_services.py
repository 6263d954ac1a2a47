"""Catalog services and selectors."""
from decimal import Decimal

import pytest

from shop.catalog import selectors, services
from shop.catalog.client import ProductNotFound, get_client
from shop.catalog.models import Product
from shop.catalog.services import SkuTaken

pytestmark = pytest.mark.django_db(databases="__all__")


def create(sku="W-1", **fields):
    return services.product_create(**({"name": "Widget", "price": Decimal("9.99"), "sku": sku} | fields))


def test_product_create_saves_the_product():
    product = create(description="blue")

    saved = Product.objects.get(pk=product.pk)
    assert (saved.name, saved.sku, saved.price, saved.description) == ("Widget", "W-1", Decimal("9.99"), "blue")


def test_product_create_refuses_a_taken_sku():
    create()

    with pytest.raises(SkuTaken):
        create(name="Other")
    assert Product.objects.count() == 1


def test_product_update_changes_only_the_given_fields():
    product = create()

    services.product_update(product_id=product.id, price=Decimal("5.00"))

    product.refresh_from_db()
    assert (product.name, product.price) == ("Widget", Decimal("5.00"))


def test_product_update_to_a_taken_sku_changes_nothing():
    create(sku="A")
    product = create(sku="B")

    with pytest.raises(SkuTaken):
        services.product_update(product_id=product.id, sku="A", name="Renamed")
    product.refresh_from_db()
    assert (product.sku, product.name) == ("B", "Widget")


@pytest.mark.parametrize("call", [
    lambda: services.product_update(product_id=404, name="x"),
    lambda: services.product_delete(product_id=404),
])
def test_unknown_product_is_not_found(call):
    with pytest.raises(ProductNotFound):
        call()


def test_product_delete_removes_it():
    product = create()

    services.product_delete(product_id=product.id)

    assert selectors.product_get(product_id=product.id) is None


def test_selectors_list_in_id_order_and_get_by_ids():
    first, second, third = create(sku="A"), create(sku="B"), create(sku="C")

    assert list(selectors.product_list()) == [first, second, third]
    assert selectors.product_get(product_id=second.id) == second
    assert set(selectors.products_by_ids(product_ids=[first.id, third.id, 999])) == {first, third}


def test_local_client_returns_dtos_and_not_found():
    product = create()
    client = get_client()

    dto = client.product_get(product_id=product.id)
    assert (dto.id, dto.sku, dto.price) == (product.id, "W-1", Decimal("9.99"))
    assert client.products_get(product_ids=[product.id, 999]) == {product.id: dto}
    with pytest.raises(ProductNotFound):
        client.product_get(product_id=999)
