"""The contract suite runs unchanged against every topology (monolith, split, and with the services hybrid):
every test gets `api` for each.

Stacks live for the whole session and are shared by all tests, so tests isolate themselves by
creating fresh products and customers. Tokens cached per session stay valid: access tokens live
15 minutes and a whole run is bounded well below that per topology."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import POSTGRES_URL, STAFF, running
from tests.contract.client import ApiClient, unique

CROWD_SIZE = 40


@pytest.fixture(scope="session", params=["monolith", "split", *(["hybrid"] if POSTGRES_URL else [])])
def stack(request, tmp_path_factory):
    """Each topology's stack; the hybrid on PostgreSQL, RabbitMQ and Redis only (make test-services), where its
    two kinds of process meet the services they share, which keeps `make test` short."""
    # On SQLite the monolith runs on Django's threaded dev server, as `make run` serves it. On PostgreSQL
    # it runs on granian like every split role: runserver's thread per request has no bound, and 40
    # parallel orders would hold more connections than PostgreSQL allows.
    server = "runserver" if request.param == "monolith" and not POSTGRES_URL else "granian"
    with running(request.param, tmp_path_factory, server=server) as stack:
        yield stack


@pytest.fixture
def api(stack) -> ApiClient:
    """An anonymous client for the stack's public entry point (the monolith, or the gateway)."""
    return ApiClient(stack.url)


@pytest.fixture
def operators(stack) -> dict:
    """The headers of an operator's call (/health/'s details): the stack's SHOP_METRICS_TOKEN when it has one
    (production); a dev stack without one shows them to anyone."""
    token = stack.metrics_token
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture(scope="session")
def staff_token(stack) -> str:
    client = ApiClient(stack.url).login(STAFF["username"], STAFF["password"])
    return client.session.headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def staff(stack, staff_token) -> ApiClient:
    return ApiClient(stack.url).authorize(staff_token)


@pytest.fixture
def customer(stack) -> ApiClient:
    """A freshly registered, logged-in customer."""
    return ApiClient(stack.url).register_and_login(f"cust-{uuid.uuid4().hex[:10]}")


@pytest.fixture
def make_customer(stack):
    """Registers and logs in another fresh customer on each call."""
    return lambda: ApiClient(stack.url).register_and_login(unique("cust"))


@pytest.fixture(scope="session")
def someone(stack) -> ApiClient:
    """One logged-in customer shared by tests that change no state of theirs (bad input, meta)."""
    return ApiClient(stack.url).register_and_login(unique("someone"))


@pytest.fixture(scope="session")
def crowd(stack) -> list[ApiClient]:
    """CROWD_SIZE logged-in customers, each with its own session, for the concurrency tests."""
    with ThreadPoolExecutor(2) as pool:  # registering hashes a password under a DB lock: keep the queue short
        return list(pool.map(lambda i: ApiClient(stack.url).register_and_login(unique(f"crowd{i}")),
                             range(CROWD_SIZE)))


@pytest.fixture
def make_product(staff):
    """Creates a product (and stocks it) on each call: make_product(stock=5, price="2.50")."""

    def make(stock: int = 10, price: str = "9.99", name: str = "Test widget") -> dict:
        created = staff.post("/products", {"name": name, "price": price, "sku": unique("SKU")})
        assert created.status_code == 201, created.text
        if stock:
            added = staff.post(f"/inventory/{created.json()['id']}", {"quantity": stock})
            assert added.status_code == 200, added.text
        return created.json()

    return make


@pytest.fixture
def product(make_product) -> dict:
    """A new product with 10 units in stock."""
    return make_product(stock=10)


@pytest.fixture
def order(customer, product) -> dict:
    """A pending order of the customer's for 2 units of `product` (10 in stock)."""
    return customer.place_ok({product["id"]: 2})
