"""The gateway role's middleware: forwarded answers skip what only rendered answers use; its own pages keep it."""
from wsgiref.headers import Headers

import pytest
from django.test import Client

from shop.gateway import proxy as gateway
from shop.platform.remote.connections import Answer

pytestmark = [pytest.mark.urls("gateway_urls"), pytest.mark.django_db(databases="__all__")]


@pytest.fixture
def gateway_role(settings, monkeypatch):
    """The gateway's MIDDLEWARE (the monolith's less its back office's), and an upstream that answers a product."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE
                           if name not in settings.RENDERING_MIDDLEWARE and not name.startswith("django.contrib.")]
    answer = Answer(200, Headers([("Content-Type", "application/json"), ("ETag", '"upstream"')]), b'{"id": 1}')
    monkeypatch.setattr(gateway, "send", lambda *args, **kwargs: answer)
    return Client()


def test_a_forwarded_answer_keeps_the_upstream_etag_and_gets_the_security_headers(gateway_role):
    response = gateway_role.get("/products/1", HTTP_X_REQUEST_ID="req-1")
    assert response.status_code == 200 and response["ETag"] == '"upstream"'
    assert response["Content-Length"] == "9" and response["X-Request-ID"] == "req-1"
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_a_host_not_allowed_is_refused_on_forwarded_routes_too(gateway_role, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    assert gateway_role.get("/products/1", HTTP_HOST="evil.example.com").status_code == 400


def test_the_gateways_own_pages_get_etags_and_304s(gateway_role):
    etag = gateway_role.get("/", HTTP_ACCEPT="application/json")["ETag"]
    assert gateway_role.get("/", HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag).status_code == 304
