"""ROOT_URLCONF of the monolith and of each service: the routes of the apps this process hosts."""
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from shop.app_routes import hosted_patterns, root_links
from shop.users import login_page
from shop.platform.errors import not_found
from shop.platform.api.health import HealthView, live, local_checks
from shop.platform.observability.metrics import metrics_view
from shop.platform.config.pages import page_patterns, session_patterns
from shop.platform.api.root import ApiRootView
from shop.platform.topology import is_service
from shop.platform.config.resolver import indexed
from shop.platform.config.routes import routes

urlpatterns = indexed([
    *routes(("", ApiRootView.as_view(links=root_links()), "api-root")),
    *page_patterns({"health": HealthView.as_view(checks=local_checks()), "health-live": live,
                    "schema": SpectacularAPIView.as_view(), "docs": SpectacularSwaggerView.as_view(url_name="schema"),
                    "redoc": SpectacularRedocView.as_view(url_name="schema"), "metrics": metrics_view}),
    *([path("admin/", admin.site.urls)] if apps.is_installed("django.contrib.admin") else []),  # monolith only
    *session_patterns(login_page.VIEWS),  # DRF's login page; reachable through the gateway on users only
    *hosted_patterns(settings.SHOP_APPS, internal=is_service(settings.SHOP_SERVICE)),
    re_path(r"", not_found),  # JSON 404 for unknown paths, in DEBUG too
])

handler404 = "shop.platform.errors.not_found"
handler400 = "shop.platform.errors.bad_request"
handler500 = "shop.platform.errors.server_error"
