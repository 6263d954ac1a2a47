"""ROOT_URLCONF of the gateway role: every app's public routes, each forwarded to its owning service."""
from pathlib import Path

from django.http import HttpResponse
from django.urls import re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from shop.app_routes import public_routes, root_links
from shop.platform.errors import not_found
from shop.gateway.pages import rendered_here
from shop.gateway.proxy import ProxyView
from shop.platform.api.health import HealthView, live, upstream_checks
from shop.platform.observability.metrics import metrics_view
from shop.platform.config.pages import SESSION_PAGES, page_patterns, session_patterns
from shop.platform.api.root import ApiRootView
from shop.platform.config.routes import routes

STALE_FALLBACK = {"catalog"}  # apps whose GETs may be answered from the last good response
OPENAPI = Path(__file__).resolve().parents[1] / "openapi.yaml"  # `make schema` writes it from the monolith


def schema(request):
    return HttpResponse(OPENAPI.read_bytes(), content_type="application/vnd.oai.openapi")


# A flat list, not shop/platform/config/resolver.py's indexed(): passthrough.py reads its leading routes from it.
urlpatterns = [
    # the forwarded routes first: most requests are theirs, and Django tries the patterns in order
    *routes(*[(route.path, ProxyView.as_view(upstream=app, stale_fallback=app in STALE_FALLBACK))
              for app, route in public_routes()]),
    # DRF's login and logout pages live on the users service; the namespace lets every page link to them.
    *session_patterns(dict.fromkeys(SESSION_PAGES, ProxyView.as_view(upstream="users"))),
    *page_patterns({name: rendered_here(view) for name, view in {
        "health": HealthView.as_view(checks=upstream_checks()), "health-live": live, "schema": schema,
        "docs": SpectacularSwaggerView.as_view(url_name="schema"),
        "redoc": SpectacularRedocView.as_view(url_name="schema"), "metrics": metrics_view}.items()}),
    *routes(("", rendered_here(ApiRootView.as_view(links=root_links())), "api-root")),
    re_path(r"", rendered_here(not_found)),
]
