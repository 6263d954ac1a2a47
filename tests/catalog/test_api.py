"""Public catalog API: /products and /products/<id>."""
import pytest

from shop.catalog.models import Product
from tests.factories import make_product
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(databases="__all__")
VALID = {"name": "Widget", "price": "9.99", "sku": "W-1"}


@pytest.fixture
def many_products():
    Product.objects.bulk_create(Product(name=f"P{i}", sku=f"P-{i}", price="1.00") for i in range(105))


@pytest.mark.parametrize("query, page_len", [("", 20), ("?page_size=5", 5), ("?page_size=1000", 100)])
def test_list_is_paginated_with_a_capped_page_size(api, many_products, query, page_len):
    body = api.get(f"/products{query}").json()

    assert body["count"] == 105
    assert len(body["results"]) == page_len
    assert body["next"] and body["previous"] is None


def test_list_pages_are_in_id_order(api, many_products):
    second = api.get("/products?page=2&page_size=50").json()["results"]

    assert [p["sku"] for p in second] == [f"P-{i}" for i in range(50, 100)]


def test_page_past_the_end_is_404(api, many_products):
    assert_problem(api.get("/products?page=99"), 404)


@pytest.mark.parametrize("path", ["/products", "/products/"])
def test_staff_creates_a_product(staff_api, path):
    response = staff_api.post(path, VALID, format="json")

    assert response.status_code == 201
    product = Product.objects.get()
    assert response.json() == {"id": product.id, "description": ""} | VALID


@pytest.mark.parametrize("client, status", [("api", 401), ("customer_api", 403)])
def test_only_staff_creates_products(request, client, status):
    assert_problem(request.getfixturevalue(client).post("/products", VALID, format="json"), status)
    assert not Product.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"price": "-1.00"}, "price"),
    ({"price": "0"}, "price"),
    ({"price": "0.001"}, "price"),
    ({"price": "1e12"}, "price"),
    ({"price": "NaN"}, "price"),
    ({"price": "cheap"}, "price"),
    ({"sku": "has space"}, "sku"),
    ({"sku": ""}, "sku"),
    ({"sku": "x" * 65}, "sku"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"description": "x" * 5001}, "description"),
])
def test_create_validates_fields(staff_api, change, field):
    body = assert_problem(staff_api.post("/products", VALID | change, format="json"), 400)

    assert field in body["errors"]
    assert not Product.objects.exists()


@pytest.mark.parametrize("missing", ["name", "price", "sku"])
def test_create_requires_fields(staff_api, missing):
    body = assert_problem(staff_api.post("/products", {k: v for k, v in VALID.items() if k != missing},
                                         format="json"), 400)

    assert list(body["errors"]) == [missing]


def test_create_with_a_taken_sku_is_refused(staff_api):
    make_product()
    taken = Product.objects.get().sku

    body = assert_problem(staff_api.post("/products", VALID | {"sku": taken}, format="json"), 400)

    assert body["type"] == "/problems/sku-taken"
    assert Product.objects.count() == 1


@pytest.mark.parametrize("path", ["/products/{id}", "/products/{id}/"])
def test_anyone_reads_a_product(api, path):
    product = make_product(price="12.50")

    response = api.get(path.format(id=product.id))

    assert response.status_code == 200
    assert response.json()["price"] == "12.50"


@pytest.mark.parametrize("path", ["/products/999", "/products/abc", "/products/-1", "/products/1234567890123456789"])
def test_unknown_or_malformed_id_is_404(api, path):
    assert_problem(api.get(path), 404)


def test_staff_patches_a_product(staff_api):
    product = make_product()

    response = staff_api.patch(f"/products/{product.id}", {"price": "1.50"}, format="json")

    assert response.status_code == 200
    product.refresh_from_db()
    assert (str(product.price), product.name, response.json()["name"]) == ("1.50", "Widget", "Widget")


def test_patch_validates_and_changes_nothing(staff_api):
    product = make_product()

    assert_problem(staff_api.patch(f"/products/{product.id}", {"price": "0"}, format="json"), 400)
    product.refresh_from_db()
    assert str(product.price) == "9.99"


def test_staff_deletes_a_product(staff_api, api):
    product = make_product()

    assert staff_api.delete(f"/products/{product.id}").status_code == 204
    assert_problem(api.get(f"/products/{product.id}"), 404)


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_writes_to_an_unknown_product_are_404(staff_api, method):
    body = assert_problem(getattr(staff_api, method)("/products/999", {"name": "x"}, format="json"), 404)

    assert body["type"] == "/problems/product-not-found"


@pytest.mark.parametrize("method", ["patch", "delete"])
@pytest.mark.parametrize("client, status", [("api", 401), ("customer_api", 403)])
def test_only_staff_changes_products(request, method, client, status):
    product = make_product()

    assert_problem(getattr(request.getfixturevalue(client), method)(f"/products/{product.id}", {"name": "x"},
                                                                     format="json"), status)
    product.refresh_from_db()
    assert product.name == "Widget"
