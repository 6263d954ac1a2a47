"""The door picks an app's client implementation in one place, from the apps this process hosts."""
from shop.catalog.client import DOOR, ProductNotFound
from shop.catalog.client.http import HttpClient
from shop.catalog.client.local import LocalClient
from shop.platform.remote.door import Door
from shop.platform.errors import ServiceUnavailable


def test_a_hosted_app_is_called_in_process_and_the_others_over_http(settings):
    settings.SHOP_APPS = ("catalog",)
    assert isinstance(Door("catalog", unavailable=ServiceUnavailable).client(), LocalClient)
    settings.SHOP_APPS = ("orders",)
    assert isinstance(Door("catalog", unavailable=ServiceUnavailable).client(), HttpClient)


def test_the_client_is_made_once_per_door():
    assert DOOR.client() is DOOR.client()


def test_the_apps_errors_keep_their_problem_codes():
    unavailable = DOOR.unavailable
    assert issubclass(unavailable, ServiceUnavailable) and unavailable.__name__ == "CatalogUnavailable"
    assert (unavailable.status, unavailable.code, unavailable.title) == (
        503, "catalog-unavailable", "The catalog is unavailable")
    assert (ProductNotFound.status, ProductNotFound.code) == (404, "product-not-found")
