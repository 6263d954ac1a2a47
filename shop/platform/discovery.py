"""Service discovery: where an app's service is. `env` (default) reads SHOP_<APP>_URL."""
from functools import cache

from django.conf import settings


class EnvDiscovery:
    """Base URLs from settings (SHOP_USERS_URL, ...), which compose or Kubernetes DNS names fill."""

    def resolve(self, app: str) -> str:
        return settings.SHOP_SERVICE_URLS[app]

    def register(self) -> None:
        """Nothing to do: the platform's DNS knows the service."""

    def deregister(self) -> None:
        """Nothing to do."""


@cache
def get_discovery():
    if settings.SHOP_DISCOVERY == "env":
        return EnvDiscovery()
    raise ValueError(f"Unknown SHOP_DISCOVERY {settings.SHOP_DISCOVERY!r}")
