"""The back office (monolith): Django's admin over every app's models; stock and orders read-only."""
import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

from shop.inventory.models import Stock
from shop.orders.models import Order
from tests.factories import make_product, make_user

pytestmark = pytest.mark.django_db(databases="__all__")
READ_ONLY = ("inventory", "orders")


@pytest.fixture
def back_office() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "Boss-passw0rd"))
    return client


def test_every_app_has_its_models_in_the_admin():
    labels = {model._meta.app_label for model in admin.site._registry}
    assert {"auth", "catalog", "inventory", "orders"} <= labels


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_each_changelist_opens_for_staff(back_office, model):
    response = back_office.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label in READ_ONLY],
                         ids=lambda m: m._meta.label)
def test_stock_and_orders_cannot_be_added_there(back_office, model):
    assert back_office.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/").status_code == 403


def test_a_stock_row_is_shown_but_not_saved(back_office):
    product = make_product(stock=5)
    stock = Stock.objects.get(product_id=product.id)
    url = f"/admin/inventory/stock/{stock.id}/change/"
    page = back_office.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert back_office.post(url, {"on_hand": 999, "reserved": 0}).status_code == 403
    assert Stock.objects.get(pk=stock.pk).on_hand == 5


def test_products_are_edited_there(back_office):
    product = make_product(price="3.00")
    response = back_office.post(f"/admin/catalog/product/{product.id}/change/",
                                {"name": "Renamed", "sku": product.sku, "price": "4.00", "description": ""})
    assert response.status_code == 302
    assert back_office.get(f"/products/{product.id}").json()["name"] == "Renamed"


def test_customers_are_sent_to_the_login_page():
    client = Client()
    client.force_login(make_user())
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Order.objects.exists()
