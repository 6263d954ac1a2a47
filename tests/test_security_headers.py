"""Production's HTTP hardening in process: HTTPS redirect (not for health probes or service calls),
HSTS on HTTPS, nosniff and X-Frame-Options on every answer."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def production(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # one trusted proxy
    return Client()


def test_plain_http_is_redirected_to_https(production):
    response = production.get("/products?page=2")
    assert response.status_code == 301 and response["Location"] == "https://testserver/products?page=2"


@pytest.mark.urls("tests.internal_urls")
@pytest.mark.parametrize("path", ["/health/?format=json", "/internal/catalog/products?ids=1"])
def test_health_probes_and_service_calls_are_not_redirected(production, path):
    assert production.get(path).status_code != 301


def test_https_answers_carry_hsts_nosniff_and_frame_denial(production):
    response = production.get("/products", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
