"""Every way in is throttled: each URLconf a role can serve (shop.urls for every role, gateway_urls) is read,
every view that checks a password or mints a token or session is found in it, and each is shown to refuse
the third attempt once its limit is 2. A new login path without the throttles fails here.

In process every app is installed (the admin too), so a role's URLconf built here holds at least the doors
the role serves: the admin's login shows up under every role although only the monolith serves it."""
import importlib.util
import inspect
import re
from pathlib import Path

import pytest
from django.contrib.admin import AdminSite
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.views import TokenViewBase

from shop.platform.topology import ROLES, owned_apps
from tests.factories import make_user

pytestmark = pytest.mark.django_db(databases="__all__")
ROOT = Path(__file__).resolve().parents[2]
URLCONF_FILES = {"gateway": ROOT / "shop" / "gateway" / "urls.py"}
CHECKS_A_SECRET = re.compile(r"\b(authenticate|check_password|login)\(")  # django.contrib.auth's calls


def urlconf(role: str):
    """The role's ROOT_URLCONF, built afresh as the role builds it."""
    path = URLCONF_FILES.get(role, ROOT / "shop" / "urls.py")
    with override_settings(SHOP_SERVICE=role, SHOP_APPS=owned_apps(role)):
        spec = importlib.util.spec_from_file_location(f"tests.urls_of_{role}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def endpoints(patterns, prefix: str = ""):
    """(path, view) of every URL pattern, included ones too."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from endpoints(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def kind_of_door(view) -> str | None:
    """"password" for a view that checks one, "token" for one that mints a token from another, else None."""
    owner = getattr(view, "__self__", None)
    if isinstance(owner, AdminSite):
        return "password" if view.__name__ == "login" else None
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        function = inspect.unwrap(view)
        ours = getattr(function, "__module__", "").startswith("shop.") and inspect.isfunction(function)
        return "password" if ours and CHECKS_A_SECRET.search(inspect.getsource(function)) else None
    if issubclass(view_class, LoginView):
        return "password"
    if issubclass(view_class, TokenViewBase):
        serializer = view_class.serializer_class
        serializer = serializer if isinstance(serializer, type) else None
        if serializer and issubclass(serializer, TokenObtainSerializer):
            return "password"
        return "token" if serializer and issubclass(serializer, TokenRefreshSerializer) else None
    ours = [klass for klass in view_class.__mro__ if klass.__module__.startswith("shop.")]
    return "password" if any(CHECKS_A_SECRET.search(inspect.getsource(klass)) for klass in ours) else None


def doors() -> list[tuple[str, str, str, object]]:
    found = []
    for role in ROLES:
        module = urlconf(role)
        for route, view in endpoints(module.urlpatterns):
            kind = kind_of_door(view)
            if kind:
                found.append((role, route, kind, module, view))
    return found


DOORS = doors()


def test_the_doors_are_found():
    """The enumeration sees the known ways in, so an empty search cannot pass the test below."""
    routes = {(role, route) for role, route, *_ in DOORS}
    assert {("monolith", "admin/login/"), ("monolith", "login"), ("monolith", "login/refresh"),
            ("monolith", "api-auth/login/"), ("users", "login"), ("users", "api-auth/login/")} <= routes
    assert not any(role == "gateway" for role, *_ in DOORS)  # the gateway forwards them to users


def attempt(module, view, route: str, username: str):
    """A wrong password (or a made-up refresh token) through one door, as that door's clients send it."""
    client = Client()
    body = {"username": username, "password": "Wrong-passw0rd!", "refresh": "not-a-token"}
    with override_settings(ROOT_URLCONF=module):
        if issubclass(getattr(view, "view_class", object), APIView):
            return client.post(f"/{route}", body, content_type="application/json")
        return client.post(f"/{route}", body)


@pytest.mark.parametrize("role, route, kind, module, view", DOORS, ids=[f"{d[0]}:/{d[1]}" for d in DOORS])
def test_every_door_is_throttled_per_address_and_per_username(settings, role, route, kind, module, view):
    make_user("target")
    limits = {"password": ({"login": "2/min"}, {"login-username": "2/min"}), "token": ({"refresh": "2/min"},)}
    for rates in limits[kind]:
        cache.clear()
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        # per address: three usernames; per username: the same one three times
        names = ["a", "b", "c"] if "login" in rates or "refresh" in rates else ["target"] * 3
        statuses = [attempt(module, view, route, name).status_code for name in names]
        assert 429 not in statuses[:2] and statuses[2] == 429, (rates, statuses)


def test_the_admin_login_and_the_api_login_share_one_count(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login-username": "2/min"}}
    make_user("target")
    assert Client().post("/admin/login/", {"username": "target", "password": "Wrong-passw0rd!"}).status_code == 200
    assert Client().post("/login", {"username": "target", "password": "Wrong-passw0rd!"},
                         content_type="application/json").status_code == 401
    assert Client().post("/admin/login/", {"username": "target", "password": "x"}).status_code == 429

