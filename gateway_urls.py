"""ROOT_URLCONF of the gateway role; the gateway itself is the package shop/gateway/."""
from shop.gateway.urls import urlpatterns  # noqa: F401
