"""Stock levels: anyone reads them, staff adds and removes, never below what orders reserved."""
import pytest

from tests.problems import assert_problem

BAD_QUANTITIES = [0, -1, 1_000_001, 10**30, "x", 1.5, None, True, [1]]


def test_unstocked_product_reads_as_zero(api, make_product):
    pid = make_product(stock=0)["id"]
    assert api.stock(pid) == {"product_id": pid, "on_hand": 0, "reserved": 0, "available": 0}


@pytest.mark.parametrize("slash", ["", "/"])
def test_staff_adds_stock_cumulatively(api, staff, make_product, slash):
    pid = make_product(stock=0)["id"]
    assert staff.post(f"/inventory/{pid}{slash}", {"quantity": 3}).json()["on_hand"] == 3
    response = staff.post(f"/inventory/{pid}{slash}", {"quantity": 4})
    assert response.status_code == 200, response.text
    expected = {"product_id": pid, "on_hand": 7, "reserved": 0, "available": 7}
    assert response.json() == expected
    assert api.get(f"/inventory/{pid}{slash}").json() == expected


@pytest.mark.parametrize("via", ["body", "query"])
def test_staff_removes_stock(staff, product, via):
    pid = product["id"]
    response = (staff.delete(f"/inventory/{pid}", {"quantity": 4}) if via == "body"
                else staff.delete(f"/inventory/{pid}?quantity=4"))
    assert response.status_code == 200, response.text
    assert response.json() == {"product_id": pid, "on_hand": 6, "reserved": 0, "available": 6}


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("customer", 403)])
def test_only_staff_changes_stock(api, customer, product, who, status):
    client = api if who == "anonymous" else customer
    pid = product["id"]
    assert_problem(client.post(f"/inventory/{pid}", {"quantity": 5}), status)
    assert_problem(client.delete(f"/inventory/{pid}", {"quantity": 5}), status)
    assert_problem(client.delete(f"/inventory/{pid}?quantity=5"), status)
    assert api.stock(pid)["on_hand"] == 10


def test_stock_is_only_added_to_existing_products(api, staff):
    assert_problem(staff.post("/inventory/999999999", {"quantity": 1}), 404)
    assert api.stock(999999999)["on_hand"] == 0


@pytest.mark.parametrize("quantity", BAD_QUANTITIES, ids=repr)
def test_bad_quantities_are_refused(staff, product, quantity):
    pid = product["id"]
    assert_problem(staff.post(f"/inventory/{pid}", {"quantity": quantity}), 400)
    assert_problem(staff.delete(f"/inventory/{pid}", {"quantity": quantity}), 400)
    assert staff.stock(pid)["on_hand"] == 10


@pytest.mark.parametrize("query", ["", "?quantity=", "?quantity=abc", "?quantity=0", "?quantity=-3"])
def test_bad_removal_queries_are_refused(staff, product, query):
    assert_problem(staff.delete(f"/inventory/{product['id']}{query}"), 400)
    assert staff.stock(product["id"])["on_hand"] == 10


def test_removal_never_goes_below_what_is_reserved(staff, customer, product):
    pid = product["id"]
    customer.place_ok({pid: 3})
    assert_problem(staff.delete(f"/inventory/{pid}", {"quantity": 8}), 409)
    assert_problem(staff.delete(f"/inventory/{pid}?quantity=11"), 409)
    assert staff.stock(pid) == {"product_id": pid, "on_hand": 10, "reserved": 3, "available": 7}
    response = staff.delete(f"/inventory/{pid}", {"quantity": 7})
    assert response.status_code == 200, response.text
    assert response.json() == {"product_id": pid, "on_hand": 3, "reserved": 3, "available": 0}
    assert_problem(staff.delete(f"/inventory/{pid}", {"quantity": 1}), 409)


def test_removing_from_an_unstocked_product_is_409(staff, make_product):
    pid = make_product(stock=0)["id"]
    assert_problem(staff.delete(f"/inventory/{pid}", {"quantity": 1}), 409)
    assert staff.stock(pid)["on_hand"] == 0
