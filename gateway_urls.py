"""ROOT_URLCONF of the gateway role: the public contract's routes, each forwarded to its owning service."""
from pathlib import Path

from django.http import HttpResponse
from django.urls import re_path
from drf_spectacular.views import SpectacularSwaggerView
from health_check.views import HealthCheckView

from shop.platform.errors import not_found
from shop.platform.gateway import ProxyView
from shop.platform.health import live, upstream_checks
from shop.platform.metrics import metrics_view
from shop.platform.root import ApiRootView
from shop.platform.routes import routes

ROUTE_TABLE = {
    "users": ["register", "login", "login/refresh", "users", "users/me", "users/<id:pk>"],
    "catalog": ["products", "products/<id:pk>"],
    "orders": ["orders", "orders/<id:pk>", "orders/<id:pk>/pay", "orders/<id:pk>/cancel"],
    "inventory": ["inventory/<id:pk>"],
}
STALE_FALLBACK = {"catalog"}
OPENAPI = Path(__file__).resolve().parent / "shop" / "openapi.yaml"  # `make schema` writes it from the monolith


def schema(request):
    return HttpResponse(OPENAPI.read_bytes(), content_type="application/vnd.oai.openapi")


urlpatterns = routes(
    ("", ApiRootView.as_view(), "api-root"),
    ("health", HealthCheckView.as_view(checks=upstream_checks()), "health"),
    ("health/live", live, "health-live"),
    ("schema", schema, "schema"),
    ("docs", SpectacularSwaggerView.as_view(url_name="schema"), "docs"),
    ("metrics", metrics_view, "metrics"),  # this role's own, never an upstream's
    *[
        (pattern, ProxyView.as_view(upstream=upstream, stale_fallback=upstream in STALE_FALLBACK))
        for upstream, patterns in ROUTE_TABLE.items()
        for pattern in patterns
    ],
) + [
    re_path(r"", not_found),
]
