"""Orders: placement reserves stock all-or-nothing; payment commits it, cancellation releases it."""
import pytest

from tests.contract.client import settled_stock
from tests.problems import assert_problem

DECLINED_CARD = "4000000000000002"


def fence(client, product_id: int) -> None:
    """Waits until the async stock work queued so far for the product has run: a later place+cancel
    of one unit is released through the same queue, so once it shows, earlier work has been seen too."""
    before = client.stock(product_id)
    placed = client.place_ok({product_id: 1})
    assert client.post(f"/orders/{placed['id']}/cancel").status_code == 200
    settled_stock(client, product_id, reserved=before["reserved"])


@pytest.mark.parametrize("slash", ["", "/"])
def test_placing_an_order_prices_it_and_reserves_its_stock(customer, make_product, slash):
    cheap, dear = make_product(stock=5, price="1.25"), make_product(stock=5, price="2.50")
    response = customer.post(f"/orders{slash}", {"items": [{"product_id": dear["id"], "quantity": 2},
                                                           {"product_id": cheap["id"], "quantity": 3}]})
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["status"] == "pending" and placed["total"] == "8.75"
    lines = {line["product_id"]: line for line in placed["items"]}
    assert set(lines) == {cheap["id"], dear["id"]}
    assert (lines[cheap["id"]]["unit_price"], lines[cheap["id"]]["quantity"]) == ("1.25", 3)
    assert (lines[dear["id"]]["unit_price"], lines[dear["id"]]["quantity"]) == ("2.50", 2)
    assert customer.stock(cheap["id"]) == {"product_id": cheap["id"], "on_hand": 5, "reserved": 3, "available": 2}
    assert customer.stock(dear["id"])["reserved"] == 2
    assert customer.get(f"/orders/{placed['id']}{slash}").json() == placed


def test_repeated_lines_of_one_product_reserve_their_sum(customer, product):
    placed = customer.post("/orders", {"items": [{"product_id": product["id"], "quantity": 2},
                                                 {"product_id": product["id"], "quantity": 3}]})
    assert placed.status_code == 201, placed.text
    assert placed.json()["total"] == "49.95"
    assert customer.stock(product["id"])["reserved"] == 5


def test_an_order_keeps_the_price_it_was_placed_at(customer, staff, product, order):
    assert staff.patch(f"/products/{product['id']}", {"price": "100.00"}).status_code == 200
    assert customer.get(f"/orders/{order['id']}").json()["items"][0]["unit_price"] == product["price"]


def test_not_enough_stock_is_409_and_reserves_nothing(customer, make_product):
    plenty, scarce = make_product(stock=10), make_product(stock=2)
    assert_problem(customer.place({plenty["id"]: 1, scarce["id"]: 3}), 409)
    assert customer.stock(plenty["id"])["reserved"] == 0
    assert customer.stock(scarce["id"])["reserved"] == 0
    assert customer.get("/orders").json()["count"] == 0


def test_an_unknown_product_is_400_and_reserves_nothing(customer, product):
    assert_problem(customer.place({product["id"]: 1, 999999999: 1}), 400)
    assert customer.stock(product["id"])["reserved"] == 0
    assert customer.get("/orders").json()["count"] == 0


def _order_routes(order_id):
    return [("GET", f"/orders/{order_id}"), ("POST", f"/orders/{order_id}/pay"),
            ("POST", f"/orders/{order_id}/cancel")]


def test_orders_need_a_login(api, customer, order):
    assert_problem(api.place({1: 1}), 401)
    assert_problem(api.get("/orders"), 401)
    for method, path in _order_routes(order["id"]):
        assert_problem(api.request(method, path), 401)
    assert customer.get(f"/orders/{order['id']}").json()["status"] == "pending"


def test_customers_see_and_touch_their_own_orders_only(customer, make_customer, product, order):
    other = make_customer()
    mine = customer.get("/orders").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == order["id"]
    assert other.get("/orders/").json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert_problem(other.get(f"/orders/{order['id']}"), 404)
    assert_problem(other.post(f"/orders/{order['id']}/pay"), 404)
    assert_problem(other.post(f"/orders/{order['id']}/cancel"), 404)
    assert customer.get(f"/orders/{order['id']}").json()["status"] == "pending"
    assert customer.stock(product["id"])["reserved"] == 2


def test_an_unknown_order_is_404(customer):
    for method, path in _order_routes(999999999):
        assert_problem(customer.request(method, path), 404)


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize("body", [None, {}, {"card_number": "4242424242424242"}], ids=["no-body", "empty", "card"])
def test_paying_commits_the_reserved_stock(customer, product, order, body, slash):
    response = customer.post(f"/orders/{order['id']}/pay{slash}", body)
    assert response.status_code == 200, response.text
    assert response.json() == order | {"status": "paid"}
    assert customer.get(f"/orders/{order['id']}").json()["status"] == "paid"
    stock = settled_stock(customer, product["id"], reserved=0)
    assert stock == {"product_id": product["id"], "on_hand": 8, "reserved": 0, "available": 8}


def test_paying_twice_commits_once(customer, product, order):
    assert customer.post(f"/orders/{order['id']}/pay").status_code == 200
    settled_stock(customer, product["id"], reserved=0)
    again = customer.post(f"/orders/{order['id']}/pay")
    assert again.status_code == 200 and again.json()["status"] == "paid"
    fence(customer, product["id"])
    assert customer.stock(product["id"]) == {"product_id": product["id"], "on_hand": 8, "reserved": 0,
                                             "available": 8}


def test_a_declined_card_is_402_and_the_order_stays_pending(customer, product, order):
    assert_problem(customer.post(f"/orders/{order['id']}/pay", {"card_number": DECLINED_CARD}), 402)
    assert customer.get(f"/orders/{order['id']}").json()["status"] == "pending"
    assert customer.stock(product["id"]) == {"product_id": product["id"], "on_hand": 10, "reserved": 2,
                                             "available": 8}
    assert customer.post(f"/orders/{order['id']}/pay").json()["status"] == "paid"
    settled_stock(customer, product["id"], reserved=0, on_hand=8)


@pytest.mark.parametrize("slash", ["", "/"])
def test_cancelling_releases_the_reservation(customer, product, order, slash):
    response = customer.post(f"/orders/{order['id']}/cancel{slash}")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert customer.get(f"/orders/{order['id']}").json()["status"] == "cancelled"
    stock = settled_stock(customer, product["id"], reserved=0)
    assert stock == {"product_id": product["id"], "on_hand": 10, "reserved": 0, "available": 10}
    assert_problem(customer.post(f"/orders/{order['id']}/pay"), 409)
    assert customer.get(f"/orders/{order['id']}").json()["status"] == "cancelled"


def test_a_paid_order_cannot_be_cancelled(customer, product, order):
    assert customer.post(f"/orders/{order['id']}/pay").status_code == 200
    assert_problem(customer.post(f"/orders/{order['id']}/cancel"), 409)
    assert customer.get(f"/orders/{order['id']}").json()["status"] == "paid"
    fence(customer, product["id"])
    assert customer.stock(product["id"])["on_hand"] == 8


def test_released_stock_can_be_ordered_again(customer, make_customer, make_product):
    pid = make_product(stock=2)["id"]
    first = customer.place_ok({pid: 2})
    assert_problem(make_customer().place({pid: 1}), 409)
    customer.post(f"/orders/{first['id']}/cancel")
    settled_stock(customer, pid, available=2)
    assert customer.place({pid: 2}).status_code == 201
