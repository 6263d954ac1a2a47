"""Two topologies at once on the same data, as during a cutover: the monolith and the hybrid (gateway,
users,catalog,orders and inventory) side by side on the same databases, broker, Redis and namespace.
What one side acknowledged, the other honours: tokens, refresh rotations, browser sessions, orders, idempotency
records, stock; and one beat schedules."""
import time
import uuid

import pytest

from tests.conftest import REDIS_URL, STAFF, _free_port_base, running
from tests.contract.client import PASSWORD, ApiClient, poll, settled_stock, unique
from tests.contract.test_browser_sessions import logged_in
from tools.stack import ports_from


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    with running("monolith", tmp_path_factory, extra_env={"SHOP_RELAY_INTERVAL": "1",
                                                          "SHOP_BEAT_LEASE_SECONDS": "3"}) as old:
        with old.beside("hybrid", ports_from(_free_port_base())) as new:
            yield old, new


@pytest.fixture(scope="module")
def product_id(sides) -> int:
    old, _ = sides
    staff = ApiClient(old.url).login(STAFF["username"], STAFF["password"])
    created = staff.post("/products", {"name": "Cutover lamp", "price": "5.00", "sku": unique("CUT")})
    assert created.status_code == 201, created.text
    assert staff.post(f"/inventory/{created.json()['id']}", {"quantity": 100}).status_code == 200
    return created.json()["id"]


def test_a_token_minted_on_either_side_is_honoured_on_the_other(sides):
    old, new = sides
    for minting, checking in ((old, new), (new, old)):
        customer = ApiClient(minting.url).register_and_login(unique("both"))
        elsewhere = ApiClient(checking.url)
        elsewhere.session.headers["Authorization"] = customer.session.headers["Authorization"]
        me = elsewhere.get("/users/me")
        assert me.status_code == 200, me.text
        assert me.json()["id"] == customer.user["id"]


def test_a_refresh_token_rotated_on_one_side_is_spent_on_the_other(sides):
    old, new = sides
    name = unique("rot")
    ApiClient(old.url).register_and_login(name)
    first = ApiClient(old.url).post("/login", {"username": name, "password": PASSWORD}).json()["refresh"]
    rotated = ApiClient(new.url).post("/login/refresh", {"refresh": first})
    assert rotated.status_code == 200, rotated.text
    assert ApiClient(old.url).post("/login/refresh", {"refresh": first}).status_code == 401  # one blacklist
    assert ApiClient(old.url).post("/login/refresh", {"refresh": rotated.json()["refresh"]}).status_code == 200


def test_a_browser_session_from_one_side_is_honoured_on_the_other(sides):
    old, new = sides
    person = logged_in(old)
    elsewhere = ApiClient(new.url)
    elsewhere.session.cookies.update(person.session.cookies)
    assert elsewhere.get("/users/me").json()["username"] == STAFF["username"]


def test_an_order_placed_on_one_side_is_paid_and_committed_on_the_other(sides, product_id):
    old, new = sides
    customer = ApiClient(old.url).register_and_login(unique("cut"))
    before = customer.stock(product_id)
    order = customer.place_ok({product_id: 2})
    on_new = ApiClient(new.url).authorize(customer.session.headers["Authorization"].removeprefix("Bearer "))
    paid = on_new.post(f"/orders/{order['id']}/pay")
    assert paid.status_code == 200, paid.text
    for side in (old, new):
        stock = settled_stock(ApiClient(side.url), product_id, on_hand=before["on_hand"] - 2)
        assert stock["on_hand"] == before["on_hand"] - 2, (side.topology, stock)


def test_a_retry_on_the_other_side_replays_the_first_answer(sides, product_id):
    old, new = sides
    customer = ApiClient(old.url).register_and_login(unique("retry"))
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = customer.place({product_id: 1}, headers=key)
    assert first.status_code == 201, first.text
    on_new = ApiClient(new.url).authorize(customer.session.headers["Authorization"].removeprefix("Bearer "))
    again = on_new.place({product_id: 1}, headers=key)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(on_new.get("/orders").json()["results"]) == 1


@pytest.mark.skipif(not REDIS_URL, reason="the beat lease lives in Redis: make test-services")
def test_of_the_two_beats_one_schedules(sides):
    old, new = sides
    logs = [side.data_dir / side.logs / "beat.log" for side in sides]
    time.sleep(5)  # several relay intervals
    sending = poll(lambda: [log.read_text().count("Sending due task") for log in logs],
                   lambda counts: sum(counts) >= 3, timeout=20)
    assert sorted(count > 0 for count in sending) == [False, True], sending
