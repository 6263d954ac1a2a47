"""A URLconf mounting every app's public and internal routes in one process, for in-process tests of the
internal API (the monolith mounts no internal route; each split service mounts only its own)."""
from django.urls import re_path

from shop.app_routes import hosted_patterns
from shop.platform.errors import not_found
from shop.platform.topology import APPS

urlpatterns = [*hosted_patterns(APPS, internal=True), re_path(r"", not_found)]
