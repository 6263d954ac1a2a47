"""Public inventory API: /inventory/<product_id>."""
import pytest

from shop.inventory import services
from shop.inventory.models import Stock
from tests.factories import make_product, stock_of
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(databases="__all__")
CUSTOMER = 1  # the user id reservations are made for


@pytest.mark.parametrize("path", ["/inventory/{id}", "/inventory/{id}/"])
def test_anyone_reads_stock(api, product, path):
    services.stock_reserve(user_id=CUSTOMER, order_id=1, lines=[(product.id, 3)])

    response = api.get(path.format(id=product.id))

    assert response.status_code == 200
    assert response.json() == {"product_id": product.id, "on_hand": 10, "reserved": 3, "available": 7}


def test_never_stocked_product_reads_as_zero(api):
    assert api.get("/inventory/42").json() == {"product_id": 42, "on_hand": 0, "reserved": 0, "available": 0}


def test_non_numeric_product_id_is_404(api):
    assert_problem(api.get("/inventory/abc"), 404)


def test_staff_adds_stock(staff_api, product):
    response = staff_api.post(f"/inventory/{product.id}", {"quantity": 5}, format="json")

    assert response.status_code == 200
    assert response.json()["on_hand"] == 15
    assert stock_of(product.id) == (15, 0)


@pytest.mark.parametrize("method", ["post", "delete"])
@pytest.mark.parametrize("client, status", [("api", 401), ("customer_api", 403)])
def test_only_staff_changes_stock(request, product, method, client, status):
    api = request.getfixturevalue(client)

    assert_problem(getattr(api, method)(f"/inventory/{product.id}", {"quantity": 1}, format="json"), status)
    assert stock_of(product.id) == (10, 0)


def test_adding_stock_to_an_unknown_product_is_404(staff_api):
    body = assert_problem(staff_api.post("/inventory/999", {"quantity": 5}, format="json"), 404)

    assert body["type"] == "/problems/product-not-found"
    assert not Stock.objects.exists()


BAD_QUANTITIES = [0, -1, 10**9, "x", None, 1.5]


@pytest.mark.parametrize("method", ["post", "delete"])
@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_quantity_is_validated(staff_api, product, method, quantity):
    body = assert_problem(getattr(staff_api, method)(f"/inventory/{product.id}", {"quantity": quantity},
                                                    format="json"), 400)

    assert "quantity" in body["errors"]
    assert stock_of(product.id) == (10, 0)


@pytest.mark.parametrize("method", ["post", "delete"])
def test_quantity_is_required(staff_api, product, method):
    assert "quantity" in assert_problem(getattr(staff_api, method)(f"/inventory/{product.id}"), 400)["errors"]


@pytest.mark.parametrize("send", [
    lambda api, url: api.delete(url, {"quantity": 4}, format="json"),
    lambda api, url: api.delete(f"{url}?quantity=4"),
    lambda api, url: api.delete(f"{url}/?quantity=4"),
], ids=["json-body", "query", "query-trailing-slash"])
def test_staff_removes_stock(staff_api, product, send):
    response = send(staff_api, f"/inventory/{product.id}")

    assert response.status_code == 200
    assert response.json() == {"product_id": product.id, "on_hand": 6, "reserved": 0, "available": 6}


@pytest.mark.parametrize("query", ["0", "-3", "x", "99999999999"])
def test_query_quantity_is_validated(staff_api, product, query):
    assert_problem(staff_api.delete(f"/inventory/{product.id}?quantity={query}"), 400)
    assert stock_of(product.id) == (10, 0)


def test_removing_reserved_stock_is_409(staff_api, product):
    services.stock_reserve(user_id=CUSTOMER, order_id=1, lines=[(product.id, 8)])

    body = assert_problem(staff_api.delete(f"/inventory/{product.id}?quantity=3"), 409)

    assert body["type"] == "/problems/stock-below-reserved"
    assert stock_of(product.id) == (10, 8)


def test_removing_stock_of_a_never_stocked_product_is_409(staff_api):
    assert_problem(staff_api.delete(f"/inventory/{make_product().id}?quantity=1"), 409)
