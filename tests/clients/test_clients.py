"""Every app's client passes the same cases in-process (local) and over HTTP against live split services."""
import uuid
from decimal import Decimal

import pytest
from django.test import override_settings

from shop.catalog import services as catalog_services
from shop.catalog.client import Product, ProductNotFound
from shop.catalog.client.http import HttpClient as HttpCatalogClient
from shop.catalog.client.local import LocalClient as LocalCatalogClient
from shop.inventory.client import InsufficientStock, ReservationLine, ReservationReleased, StockLevel
from shop.inventory.client.http import HttpClient as HttpInventoryClient
from shop.inventory.client.local import LocalClient as LocalInventoryClient
from shop.orders import services as orders_services
from shop.orders.client import OrderSummary
from shop.orders.client.http import HttpClient as HttpOrdersClient
from shop.orders.client.local import LocalClient as LocalOrdersClient
from shop.platform.remote.breaker import breaker_for
from shop.platform.remote.discovery import get_discovery
from shop.platform.topology import APPS
from shop.users import services as users_services
from tests.conftest import STAFF, running
from tests.contract.client import ApiClient

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
CUSTOMER = 1  # the user id reservations are made for
PASSWORD = "c0rrect-Horse-battery"
MISSING = 10**15  # an id nothing has


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def new_id() -> int:
    return uuid.uuid4().int % 10**12 + 1


class LocalShop:
    """The local clients; test data written through the services into this process's test databases."""

    catalog, inventory = LocalCatalogClient(), LocalInventoryClient()
    orders = LocalOrdersClient()

    def product(self, sku: str) -> int:
        return catalog_services.product_create(name="Widget", price=Decimal("9.99"), sku=sku).id

    def user(self, username: str) -> int:
        return users_services.user_register(username=username, email=f"{username}@example.com", password=PASSWORD).id

    def order(self, product_id: int) -> tuple[int, int]:
        user_id = self.user(unique("buyer"))
        return orders_services.order_place(user_id=user_id, lines=[(product_id, 2)]).id, user_id


class ActingAs:
    """An HTTP client whose calls carry the credential of the service that really makes them: each
    internal endpoint admits only its own callers."""

    CALLERS = {"products_get": "orders", "product_get": "inventory", "stock_get": "catalog", "stock_add": "catalog",
               "stock_reserve": "orders", "stock_release": "orders", "orders_get": "inventory"}

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name: str):
        method = getattr(self.client, name)

        def call(**kwargs):
            with override_settings(SHOP_SERVICE=self.CALLERS[name]):
                return method(**kwargs)
        return call


class HttpShop:
    """The HTTP clients; test data written through the live stack's public API (the gateway)."""

    catalog, inventory = ActingAs(HttpCatalogClient()), ActingAs(HttpInventoryClient())
    orders = ActingAs(HttpOrdersClient())

    def __init__(self, url: str):
        self.url, self.staff = url, ApiClient(url).login(STAFF["username"], STAFF["password"])

    def product(self, sku: str) -> int:
        response = self.staff.post("/products", {"name": "Widget", "price": "9.99", "sku": sku})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def user(self, username: str) -> int:
        response = ApiClient(self.url).post("/register", {"username": username, "email": f"{username}@example.com",
                                                          "password": PASSWORD})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def order(self, product_id: int) -> tuple[int, int]:
        username = unique("buyer")
        user_id = self.user(username)
        buyer = ApiClient(self.url).login(username, PASSWORD)
        response = buyer.post("/orders", {"items": [{"product_id": product_id, "quantity": 2}]})
        assert response.status_code == 201, response.text
        return response.json()["id"], user_id


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A split stack: only split services mount internal routes."""
    with running("split", tmp_path_factory) as stack:  # dev service keys are the same in every process
        yield stack


@pytest.fixture(params=["local", "http"])
def client_impl(request, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if request.param == "local":
        yield LocalShop()
        return
    stack = request.getfixturevalue("stack")
    settings.SHOP_SERVICE_URLS = {app: stack.role_url(app) for app in APPS}
    settings.SHOP_REDIS_URL = ""
    breaker_for.cache_clear()
    get_discovery.cache_clear()
    yield HttpShop(stack.url)
    breaker_for.cache_clear()
    get_discovery.cache_clear()


def test_products_get_returns_the_existing_products_by_id(client_impl):
    sku = unique("SKU")
    product_id = client_impl.product(sku)
    expected = Product(id=product_id, name="Widget", sku=sku, price=Decimal("9.99"), description="")
    assert client_impl.catalog.products_get(product_ids=[product_id, MISSING, product_id]) == {product_id: expected}
    assert client_impl.catalog.product_get(product_id=product_id) == expected
    assert client_impl.catalog.products_get(product_ids=[]) == {}


def test_a_missing_product_raises_product_not_found(client_impl):
    with pytest.raises(ProductNotFound) as caught:
        client_impl.catalog.product_get(product_id=MISSING)
    assert type(caught.value) is ProductNotFound and str(MISSING) in caught.value.detail


def test_stock_starts_empty_and_adds_up(client_impl):
    product_id = client_impl.product(unique("SKU"))
    assert client_impl.inventory.stock_get(product_id=product_id) == StockLevel(product_id, on_hand=0, reserved=0)
    assert client_impl.inventory.stock_add(product_id=product_id, quantity=5) == StockLevel(product_id, 5, 0)
    assert client_impl.inventory.stock_add(product_id=product_id, quantity=2) == StockLevel(product_id, 7, 0)


def test_stock_reserve_is_all_or_nothing_and_idempotent_per_order(client_impl):
    inventory = client_impl.inventory
    first, second = client_impl.product(unique("SKU")), client_impl.product(unique("SKU"))
    inventory.stock_add(product_id=first, quantity=5)
    inventory.stock_add(product_id=second, quantity=1)
    order_id, lines = new_id(), [ReservationLine(first, 2), ReservationLine(second, 1)]
    expected = sorted(lines, key=lambda line: line.product_id)
    assert inventory.stock_reserve(user_id=CUSTOMER, order_id=order_id, lines=lines) == expected
    # a retry reserves nothing more
    assert inventory.stock_reserve(user_id=CUSTOMER, order_id=order_id, lines=lines) == expected
    with pytest.raises(InsufficientStock):
        inventory.stock_reserve(user_id=CUSTOMER, order_id=new_id(),
                                lines=[ReservationLine(first, 1), ReservationLine(second, 1)])
    assert [inventory.stock_get(product_id=p).reserved for p in (first, second)] == [2, 1]


def test_stock_release_gives_the_reservation_back_once(client_impl):
    inventory, product_id, order_id = client_impl.inventory, client_impl.product(unique("SKU")), new_id()
    inventory.stock_add(product_id=product_id, quantity=5)
    inventory.stock_reserve(user_id=CUSTOMER, order_id=order_id, lines=[ReservationLine(product_id, 3)])
    for _ in range(2):
        assert inventory.stock_release(order_id=order_id) is None
        assert inventory.stock_get(product_id=product_id) == StockLevel(product_id, on_hand=5, reserved=0)


def test_a_reservation_after_the_release_is_refused(client_impl):
    inventory, product_id, order_id = client_impl.inventory, client_impl.product(unique("SKU")), new_id()
    inventory.stock_add(product_id=product_id, quantity=5)
    inventory.stock_release(order_id=order_id)  # the compensating release overtook the reservation
    with pytest.raises(ReservationReleased):
        inventory.stock_reserve(user_id=CUSTOMER, order_id=order_id, lines=[ReservationLine(product_id, 3)])
    assert inventory.stock_get(product_id=product_id) == StockLevel(product_id, on_hand=5, reserved=0)


def test_orders_get_returns_the_existing_orders_only_as_summaries(client_impl):
    product_id = client_impl.product(unique("SKU"))
    client_impl.inventory.stock_add(product_id=product_id, quantity=5)
    order_id, user_id = client_impl.order(product_id)
    assert client_impl.orders.orders_get(order_ids=[order_id, MISSING]) == [
        OrderSummary(id=order_id, user_id=user_id, status="pending", total=Decimal("19.98"))]
    assert client_impl.inventory.stock_get(product_id=product_id) == StockLevel(product_id, on_hand=5, reserved=2)
    assert client_impl.orders.orders_get(order_ids=[]) == []
