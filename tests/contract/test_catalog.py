"""Products: a public, paginated catalog that only staff may change."""
import math

import pytest

from tests.contract.client import unique
from tests.problems import assert_problem


def _new(name="Gadget", price="12.50", **extra):
    return {"name": name, "price": price, "sku": unique("SKU"), **extra}


@pytest.mark.parametrize("slash", ["", "/"])
def test_staff_creates_a_product_anyone_can_read(api, staff, slash):
    body = _new(description="A fine gadget")
    response = staff.post(f"/products{slash}", body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {"id": created["id"], **body}
    assert api.get(f"/products/{created['id']}{slash}").json() == created


def test_product_list_is_paginated_in_creation_order(api, make_product):
    created = [make_product(stock=0)["id"] for _ in range(3)]
    first = api.get("/products?page_size=2")
    assert first.status_code == 200, first.text
    page = first.json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert len(page["results"]) == 2 and page["next"] and page["previous"] is None
    last_page = math.ceil(page["count"] / 2)
    tail = api.get(f"/products?page_size=2&page={last_page}").json()["results"]
    assert tail[-1]["id"] == created[-1]
    assert_problem(api.get(f"/products?page_size=2&page={last_page + 1}"), 404)


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("customer", 403)])
def test_only_staff_changes_the_catalog(api, customer, staff, product, who, status):
    client = api if who == "anonymous" else customer
    path = f"/products/{product['id']}"
    assert_problem(client.post("/products", _new()), status)
    assert_problem(client.patch(path, {"price": "0.01"}), status)
    assert_problem(client.delete(path), status)
    assert api.get(path).json() == product


@pytest.mark.parametrize("change", [
    {"name": ""}, {"price": "0"}, {"price": "-1.00"}, {"price": "abc"}, {"price": "1.001"}, {"price": "1e20"},
    {"price": "NaN"}, {"sku": "has space"}, {"sku": "x" * 65}, {"name": "x" * 201}, {"name": None},
], ids=lambda c: f"{next(iter(c))}={str(next(iter(c.values())))[:10]}")
def test_invalid_products_are_refused(staff, product, change):
    assert_problem(staff.post("/products", _new() | change), 400)
    assert_problem(staff.patch(f"/products/{product['id']}", change), 400)
    assert staff.get(f"/products/{product['id']}").json() == product


def test_a_sku_is_unique(staff, product):
    assert_problem(staff.post("/products", _new() | {"sku": product["sku"]}), 400)
    other = staff.post("/products", _new()).json()
    assert_problem(staff.patch(f"/products/{other['id']}", {"sku": product["sku"]}), 400)


@pytest.mark.parametrize("slash", ["", "/"])
def test_staff_updates_and_deletes_a_product(api, staff, product, slash):
    path = f"/products/{product['id']}{slash}"
    response = staff.patch(path, {"price": "3.25", "name": "Renamed"})
    assert response.status_code == 200, response.text
    assert response.json() == product | {"price": "3.25", "name": "Renamed"}
    assert api.get(path).json() == response.json()
    assert staff.delete(path).status_code == 204
    assert_problem(api.get(path), 404)
    assert_problem(staff.delete(path), 404)
    assert_problem(staff.patch(path, {"price": "1.00"}), 404)


def test_an_unknown_product_is_404(api):
    assert_problem(api.get("/products/999999999"), 404)
