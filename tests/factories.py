"""Builders for the in-process app tests: accounts, products, stock and logged-in API clients."""
import itertools
from decimal import Decimal

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from shop.catalog import services as catalog
from shop.inventory import services as inventory
from shop.inventory.models import Reservation, Stock
from shop.orders.models import Order

PASSWORD = "c0rrect-Horse-battery"
_serial = itertools.count(1)


def make_user(username: str | None = None, *, staff: bool = False) -> User:
    username = username or f"user{next(_serial)}"
    return User.objects.create_user(username=username, email=f"{username}@example.com", password=PASSWORD,
                                    is_staff=staff)


def make_product(*, price: str = "9.99", stock: int = 0, name: str = "Widget"):
    product = catalog.product_create(name=name, price=Decimal(price), sku=f"SKU-{next(_serial)}")
    if stock:
        inventory.stock_add(product_id=product.id, quantity=stock)
    return product


def login(user: User) -> APIClient:
    """An APIClient carrying a real access token from POST /login."""
    client = APIClient()
    response = client.post("/login", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def stock_of(product_id: int) -> tuple[int, int]:
    """(on_hand, reserved) of a product, checking the invariant on the way."""
    stock = Stock.objects.filter(product_id=product_id).first() or Stock(product_id=product_id)
    assert 0 <= stock.reserved <= stock.on_hand
    return stock.on_hand, stock.reserved


def nothing_written() -> bool:
    """No order rows and no reservations anywhere: a refused request left no partial write."""
    return not Order.objects.exists() and not Reservation.objects.exists()
