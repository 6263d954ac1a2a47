"""What the gateway sends upstream: the path without SCRIPT_NAME, and who and where the client is."""
from wsgiref.headers import Headers

import pytest
from django.test import RequestFactory

from shop.gateway import proxy as gateway
from shop.platform.remote.connections import Answer


@pytest.fixture
def sent(monkeypatch):
    """The (path, headers) of each request the gateway sends upstream."""
    calls = []

    def send(upstream, method, path, *, body=None, headers=None, idempotent=False, client_span=True):
        calls.append((path, headers))
        return Answer(200, Headers([("Content-Type", "application/json")]), b"{}")

    monkeypatch.setattr(gateway, "send", send)
    return calls


def forward(request):
    return gateway.ProxyView(upstream="catalog").forward(request)


def test_the_path_info_and_query_are_forwarded_never_the_script_name(sent):
    forward(RequestFactory().get("/products", {"page": "2"}, SCRIPT_NAME="/shop"))
    assert sent[0][0] == "/products?page=2"


@pytest.mark.parametrize("behind_a_tls_proxy, scheme", [(True, "https"), (False, "http")])
def test_the_client_address_host_and_scheme_are_forwarded(sent, settings, behind_a_tls_proxy, scheme):
    """The scheme the client claims counts only from a trusted proxy (SHOP_TRUSTED_PROXIES > 0)."""
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if behind_a_tls_proxy else None
    forward(RequestFactory().get("/products", REMOTE_ADDR="203.0.113.7", HTTP_HOST="shop.example.com",
                                 HTTP_X_FORWARDED_PROTO="https"))
    headers = sent[0][1]
    assert headers["X-Forwarded-For"] == "203.0.113.7"
    assert (headers["X-Forwarded-Host"], headers["X-Forwarded-Proto"]) == ("shop.example.com", scheme)


def test_the_gateway_appends_the_peer_to_an_existing_x_forwarded_for(sent):
    forward(RequestFactory().get("/products", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.9.9.9"))
    assert sent[0][1]["X-Forwarded-For"] == "10.9.9.9, 198.51.100.1"
