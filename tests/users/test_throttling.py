"""Throttles: login per username and per address, register and refresh per address, order placement per
user; 429 problems with Retry-After; rates from settings; X-Forwarded-For only from trusted proxies."""
from unittest import mock

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import PASSWORD, login, make_product, make_user

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def rates(settings):
    """rates(login="2/min", ...) sets those scopes' rates and switches every other throttle off."""

    def set_rates(num_proxies: int = 0, **scopes: str):
        rates = {scope.replace("_", "-"): rate for scope, rate in scopes.items()}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies,
                                   "DEFAULT_THROTTLE_RATES": rates}
    return set_rates


def log_in(api, username: str, password: str = "Wrong-passw0rd!", **headers):
    return api.post("/login", {"username": username, "password": password}, format="json", **headers)


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_login_is_throttled_per_username_as_authentication_reads_it(api, rates):
    """The key is the username as authentication matches it (Django's normalize_username, NFKC): the
    full-width "ａｌｉｃｅ" logs in as alice, so it counts as alice; "Alice" is another username."""
    rates(login_username="3/min")
    make_user("alice")
    assert [log_in(api, name).status_code for name in ("alice", "ａｌｉｃｅ", "ａlice")] == [401] * 3
    assert_throttled(log_in(api, "alice", PASSWORD))  # even the right password: no more guesses
    assert log_in(api, "Alice").status_code == log_in(api, "bob").status_code == 401


def test_every_door_matches_the_username_alike(api, client):
    """The API's login reads the username as Django's login form does (NFKC), so no door matches more."""
    make_user("alice")
    assert log_in(api, "ａｌｉｃｅ", PASSWORD).status_code == 200
    assert client.post("/api-auth/login/", {"username": "ａｌｉｃｅ", "password": PASSWORD}).status_code == 302


def test_the_login_page_counts_a_compatibility_form_against_its_account(client, rates):
    """Django's login form logs "ａｌｉｃｅ" in as alice: guesses through it count against alice."""
    rates(login_username="2/min")
    make_user("alice")
    wrong = {"username": "ａｌｉｃｅ", "password": "Wrong-passw0rd!"}
    assert [client.post("/api-auth/login/", wrong).status_code for _ in range(2)] == [200, 200]
    assert_throttled(log_in(APIClient(), "alice", PASSWORD))


def test_login_is_throttled_per_address(api, rates):
    rates(login="2/min")
    assert log_in(api, "one").status_code == log_in(api, "two").status_code == 401
    assert_throttled(log_in(api, "three"))
    assert log_in(api, "three", REMOTE_ADDR="10.0.0.2").status_code == 401


def test_register_and_refresh_are_throttled_per_address(api, rates):
    rates(register="1/min", refresh="1/min")
    body = {"username": "carol", "email": "carol@example.com", "password": PASSWORD}
    assert api.post("/register", body, format="json").status_code == 201
    assert_throttled(api.post("/register", body | {"username": "dave"}, format="json"))
    refresh = log_in(api, "carol", PASSWORD).json()["refresh"]
    assert api.post("/login/refresh", {"refresh": refresh}, format="json").status_code == 200
    assert_throttled(api.post("/login/refresh", {"refresh": refresh}, format="json"))


def test_order_placement_is_throttled_per_user_and_reads_are_not(rates):
    rates(order_place="1/min")
    product = make_product(stock=10)
    first, second = login(make_user()), login(make_user())
    order = {"items": [{"product_id": product.id, "quantity": 1}]}
    assert first.post("/orders", order, format="json").status_code == 201
    assert_throttled(first.post("/orders", order, format="json"))
    assert first.get("/orders").status_code == 200
    assert second.post("/orders", order, format="json").status_code == 201


@pytest.mark.parametrize("num_proxies, separate", [(0, False), (1, True)])
def test_forwarded_addresses_count_only_from_trusted_proxies(api, rates, num_proxies, separate):
    rates(num_proxies, login="1/min")
    assert log_in(api, "x", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 401
    second = log_in(api, "x", HTTP_X_FORWARDED_FOR="192.0.2.2")
    assert second.status_code == 401 if separate else second.status_code == 429


def test_a_cache_outage_lets_requests_through(api, rates):
    rates(login="1/min")
    with mock.patch.object(cache, "get", side_effect=ConnectionError("cache down")):
        assert [log_in(api, "x").status_code for _ in range(3)] == [401, 401, 401]


def test_the_browsable_api_login_page_counts_against_the_same_login_limits(client, rates):
    """A person's login page is no way around the limits of POST /login."""
    rates(login_username="2/min")
    make_user("erin")
    page = {"username": "erin", "password": "Wrong-passw0rd!"}
    assert [client.post("/api-auth/login/", page).status_code for _ in range(2)] == [200, 200]  # the form again
    assert_throttled(client.post("/api-auth/login/", page | {"password": PASSWORD}))
    assert_throttled(log_in(APIClient(), "erin", PASSWORD))  # the API's login shares the count
