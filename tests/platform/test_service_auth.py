"""Service credentials on internal routes: only a valid, unexpired token for this process's apps gets in."""
import time
from decimal import Decimal

import jwt
import pytest
from django.conf import settings
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from shop.catalog import services as catalog
from shop.platform.remote.service_auth import ServiceCaller, ServiceTokenAuthentication, service_token

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.urls("tests.internal_urls")]


def token(key: str | None = None, algorithm: str = "EdDSA", **overrides) -> str:
    """A service token with the given claims replaced (None drops a claim), signed by default with the
    (dev) private key of the service it names."""
    now = int(time.time())
    claims = {"iss": "orders", "aud": "catalog", "iat": now, "exp": now + 60} | overrides
    claims = {name: value for name, value in claims.items() if value is not None}
    key = None if algorithm == "none" else key or settings.SHOP_SERVICE_PRIVATE_KEYS[claims.get("iss", "orders")]
    return jwt.encode(claims, key, algorithm=algorithm)


@pytest.fixture
def product():
    return catalog.product_create(name="Widget", price=Decimal("9.99"), sku="SKU-AUTH-1")


@pytest.mark.parametrize("authorization", [
    pytest.param(lambda: None, id="missing"),
    pytest.param(lambda: "Service", id="empty"),
    pytest.param(lambda: "Service not.a.jwt", id="malformed"),
    pytest.param(lambda: f"Bearer {token()}", id="wrong-scheme"),
    pytest.param(lambda: f"Service {token(key=settings.SHOP_SERVICE_PRIVATE_KEYS['inventory'])}",
                 id="signed-by-another-service"),
    pytest.param(lambda: f"Service {token(key='a-shared-secret-0123456789abcdef', algorithm='HS256')}", id="hs256"),
    pytest.param(lambda: f"Service {token(iss='nobody', key=settings.SHOP_SERVICE_PRIVATE_KEYS['orders'])}",
                 id="unknown-issuer"),
    pytest.param(lambda: f"Service {token(algorithm='none')}", id="unsigned"),
    pytest.param(lambda: f"Service {token(iat=int(time.time()) - 120, exp=int(time.time()) - 60)}", id="expired"),
    pytest.param(lambda: f"Service {token(exp=None)}", id="no-expiry"),
    pytest.param(lambda: f"Service {token(aud='gateway')}", id="wrong-audience"),
    pytest.param(lambda: f"Service {token(aud=None)}", id="no-audience"),
])
def test_internal_routes_refuse_bad_credentials_with_401_problem(product, authorization):
    header = authorization()
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = APIClient().get(f"/internal/catalog/products?ids={product.id}", **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Service"
    body = response.json()
    assert body["status"] == 401
    assert body["type"] in ("/problems/not-authenticated", "/problems/authentication-failed")
    assert "price" not in response.content.decode()


def test_internal_routes_accept_a_valid_credential(product, settings):
    settings.SHOP_SERVICE = "orders"
    response = APIClient().get(f"/internal/catalog/products?ids={product.id}",
                               HTTP_AUTHORIZATION=f"Service {service_token(audience='catalog')}")
    assert response.status_code == 200
    assert [row["sku"] for row in response.json()] == ["SKU-AUTH-1"]


@pytest.mark.parametrize("user_id", [42, None])
def test_the_end_user_travels_in_the_token(user_id, settings):
    settings.SHOP_SERVICE = "inventory"
    credential = service_token(audience="orders", user_id=user_id)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Service {credential}")
    caller, _ = ServiceTokenAuthentication().authenticate(Request(request))
    assert caller == ServiceCaller(service=settings.SHOP_SERVICE, user_id=user_id)
    assert caller.id == user_id


def test_refusals_do_not_say_why(product):
    expired = token(iat=int(time.time()) - 120, exp=int(time.time()) - 60)
    response = APIClient().get(f"/internal/catalog/products?ids={product.id}", HTTP_AUTHORIZATION=f"Service {expired}")
    assert response.json()["detail"] == "Invalid service credentials."


@pytest.mark.parametrize("caller, status", [("orders", 200), ("inventory", 200), ("users", 403)])
def test_each_internal_endpoint_admits_only_its_own_callers(product, caller, status):
    response = APIClient().get(f"/internal/catalog/products?ids={product.id}",
                               HTTP_AUTHORIZATION=f"Service {token(iss=caller)}")
    assert response.status_code == status


@pytest.mark.urls("shop.urls")
def test_the_monolith_mounts_no_internal_route(product):
    response = APIClient().get(f"/internal/catalog/products?ids={product.id}", HTTP_AUTHORIZATION=f"Service {token()}")
    assert response.status_code == 404


def test_a_token_from_a_caller_whose_clock_runs_a_little_ahead_is_accepted(product, settings):
    """SHOP_TOKEN_LEEWAY_SECONDS: clocks of two hosts differ; a token issued "in the future" by less than
    the leeway is valid, one issued further ahead is not."""
    ahead = int(time.time()) + settings.SHOP_TOKEN_LEEWAY_SECONDS - 1
    accepted = APIClient().get(f"/internal/catalog/products?ids={product.id}",
                               HTTP_AUTHORIZATION=f"Service {token(iat=ahead, nbf=ahead, exp=ahead + 60)}")
    assert accepted.status_code == 200
    far = int(time.time()) + settings.SHOP_TOKEN_LEEWAY_SECONDS + 30
    refused = APIClient().get(f"/internal/catalog/products?ids={product.id}",
                              HTTP_AUTHORIZATION=f"Service {token(iat=far, nbf=far, exp=far + 60)}")
    assert refused.status_code == 401


def test_a_caller_reuses_its_token_for_half_its_life(settings, monkeypatch):
    settings.SHOP_SERVICE = "orders"
    start = (int(time.time()) // 30 + 1) * 30  # the start of a reuse window
    monkeypatch.setattr(time, "time", lambda: start + 29.5)
    first = service_token(audience="catalog", user_id=7)
    assert service_token(audience="catalog", user_id=7) == first
    assert service_token(audience="catalog", user_id=8) != first  # one per end user
    claims = jwt.decode(first, options={"verify_signature": False})
    assert claims["exp"] - time.time() >= 30  # still half its life left when sent
    monkeypatch.setattr(time, "time", lambda: start + 30)
    assert service_token(audience="catalog", user_id=7) != first


def test_a_verified_token_is_still_refused_once_it_expires(product, monkeypatch, settings):
    credential = token()
    assert APIClient().get(f"/internal/catalog/products?ids={product.id}",
                           HTTP_AUTHORIZATION=f"Service {credential}").status_code == 200
    expired_at = jwt.decode(credential, options={"verify_signature": False})["exp"] + settings.SHOP_TOKEN_LEEWAY_SECONDS
    monkeypatch.setattr(time, "time", lambda: expired_at + 1)
    refused = APIClient().get(f"/internal/catalog/products?ids={product.id}", HTTP_AUTHORIZATION=f"Service {credential}")
    assert refused.status_code == 401
