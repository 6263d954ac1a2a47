"""The contract suite runs unchanged against both topologies: every test gets `api` for each."""
import uuid

import pytest

from tests.conftest import STAFF, launch
from tests.contract.client import ApiClient


@pytest.fixture(scope="session", params=["monolith", "split"])
def stack(request, tmp_path_factory):
    stack = launch(request.param, tmp_path_factory)
    yield stack
    stack.stop()


@pytest.fixture
def api(stack) -> ApiClient:
    """An anonymous client for the stack's public entry point (the monolith, or the gateway)."""
    return ApiClient(stack.url)


@pytest.fixture
def staff(stack) -> ApiClient:
    return ApiClient(stack.url).login(STAFF["username"], STAFF["password"])


@pytest.fixture
def customer(stack) -> ApiClient:
    """A freshly registered, logged-in customer."""
    return ApiClient(stack.url).register_and_login(f"cust-{uuid.uuid4().hex[:10]}")


@pytest.fixture
def product(staff) -> dict:
    """A new product with 10 units in stock."""
    created = staff.post("/products", {"name": "Test widget", "price": "9.99", "sku": f"SKU-{uuid.uuid4().hex[:10]}"})
    assert created.status_code == 201, created.text
    assert staff.post(f"/inventory/{created.json()['id']}", {"quantity": 10}).status_code == 200
    return created.json()
