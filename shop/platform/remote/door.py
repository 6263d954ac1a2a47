"""The skeleton every app's door (shop/<app>/client/) fills with its Protocol, DTOs and errors: the
error base for missing things, and the one choice of implementation, which raises the app's
`<App>Unavailable` when the app cannot be reached."""
from django.conf import settings
from django.utils.module_loading import import_string

from shop.platform.errors import ServiceUnavailable, ShopError


class NotFound(ShopError):
    """Base of an app's `<Thing>NotFound` errors."""

    status = 404
    code = "not-found"
    title = "Not found"


class Door:
    """One app's door: `Door("<app>", unavailable=<App>Unavailable)`."""

    def __init__(self, app: str, *, unavailable: type[ServiceUnavailable]):
        self.app = app
        self.unavailable = unavailable
        self._client = None

    def client(self):
        """The app's client, made once: `client.local.LocalClient` when this process hosts the app
        (settings.SHOP_APPS), else `client.http.HttpClient` over the app's internal API."""
        if self._client is None:
            implementation = "local.LocalClient" if self.app in settings.SHOP_APPS else "http.HttpClient"
            self._client = import_string(f"shop.{self.app}.client.{implementation}")()
        return self._client
