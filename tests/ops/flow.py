"""The customer journey the operations tests drive through an entry point: a staff user stocks a
product; a new customer registers, logs in, orders and pays; the stock commit lands."""
from dataclasses import dataclass

from tests.conftest import STAFF
from tests.contract.client import ApiClient, poll, unique


@dataclass
class Journey:
    customer: ApiClient
    product_id: int
    order_id: int


def client(url: str, host: str | None = None) -> ApiClient:
    """A client of the entry point; with `host`, the headers an Ingress ending TLS would pass on."""
    api = ApiClient(url)
    if host:
        api.session.headers.update({"Host": host, "X-Forwarded-Proto": "https"})
    return api


def stocked_product(url: str, quantity: int = 10, host: str | None = None) -> int:
    staff = client(url, host).login(STAFF["username"], STAFF["password"])
    created = staff.post("/products", {"name": "Ops widget", "price": "4.50", "sku": unique("OPS")})
    assert created.status_code == 201, created.text
    product_id = created.json()["id"]
    added = staff.post(f"/inventory/{product_id}", {"quantity": quantity})
    assert added.status_code == 200, added.text
    return product_id


def place(url: str, product_id: int, headers: dict | None = None, host: str | None = None) -> Journey:
    customer = client(url, host).register_and_login(unique("ops"))
    placed = customer.place({product_id: 2}, headers=headers)
    assert placed.status_code == 201, placed.text
    return Journey(customer, product_id, placed.json()["id"])


def pay_and_commit(journey: Journey, headers: dict | None = None, timeout: float = 20.0) -> None:
    """Pays the order (2 units) and waits until the stock task has taken them off the shelf."""
    before = journey.customer.stock(journey.product_id)["on_hand"]
    paid = journey.customer.post(f"/orders/{journey.order_id}/pay", headers=headers)
    assert paid.status_code == 200, paid.text
    stock = poll(lambda: journey.customer.stock(journey.product_id), lambda s: s["on_hand"] == before - 2,
                 timeout=timeout)
    assert stock["on_hand"] == before - 2, stock
