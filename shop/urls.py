"""ROOT_URLCONF of the monolith and of each service: the routes of the apps this process hosts."""
from django.conf import settings
from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from health_check.views import HealthCheckView

from shop.app_routes import hosted_patterns, root_links
from shop.platform.errors import not_found
from shop.platform.health import local_checks
from shop.platform.root import ApiRootView
from shop.platform.topology import APPS
from shop.platform.routes import routes

urlpatterns = [
    *routes(
        ("", ApiRootView.as_view(links=root_links()), "api-root"),
        ("health", HealthCheckView.as_view(checks=local_checks()), "health"),
        ("schema", SpectacularAPIView.as_view(), "schema"),
        ("docs", SpectacularSwaggerView.as_view(url_name="schema"), "docs"),
    ),
    *hosted_patterns(settings.SHOP_APPS, internal=settings.SHOP_SERVICE in APPS),
    re_path(r"", not_found),  # JSON 404 for unknown paths, in DEBUG too
]

handler404 = "shop.platform.errors.not_found"
handler400 = "shop.platform.errors.bad_request"
handler500 = "shop.platform.errors.server_error"
