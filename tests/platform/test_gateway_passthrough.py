"""The gateway's short way for reads answers exactly what Django's way answers, and is taken only by reads."""
from urllib.parse import unquote_to_bytes, urlsplit
from wsgiref.headers import Headers

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shop.gateway import proxy as gateway
from shop.gateway.passthrough import Passthrough
from shop.gateway.proxy import ProxyView, Relayed
from shop.platform.errors import ServiceUnavailable
from shop.platform.observability import telemetry
from shop.platform.observability.metrics import exposition
from tests.ops.metrics_text import value
from shop.platform.remote.connections import Answer

pytestmark = pytest.mark.urls("gateway_urls")
PRODUCT = Answer(200, Headers([("Content-Type", "application/json"), ("ETag", '"v1"'), ("Vary", "Accept, Origin"),
                               ("Cache-Control", "no-cache"), ("X-Internal", "dropped")]), b'{"id": 7}')


@pytest.fixture
def gateway_role(settings):
    """The gateway's MIDDLEWARE (the monolith's less its back office's and the rendering middleware)."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE
                           if name not in settings.RENDERING_MIDDLEWARE and not name.startswith("django.contrib.")]
    settings.CORS_ALLOWED_ORIGINS = ["https://store.example.com"]
    for signal in (request_started, request_finished):  # as Django's test client does: no test database closed
        signal.disconnect(close_old_connections)
    yield settings
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def upstream(monkeypatch):
    """What the upstream answers (an Answer, or an exception to raise), and the calls it got."""
    state = {"answer": PRODUCT, "calls": []}
    for alias in ("fallback", "gateway-memo"):  # no stale copy from an earlier test
        caches[alias].clear()

    def send(upstream, method, path, *, body=None, headers=None, idempotent=False, client_span=True):
        state["calls"].append((method, path))
        if isinstance(state["answer"], Exception):
            raise state["answer"]
        return state["answer"]

    monkeypatch.setattr(gateway, "send", send)
    return state


class Spy:
    """Django's handler, counting the requests that took Django's way."""

    def __init__(self):
        self.handler, self.calls = WSGIHandler(), 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


def answer(app, method, path, **extra):
    environ = getattr(RequestFactory(), method.lower())(path, HTTP_X_REQUEST_ID="req-1", **extra).environ
    environ["PATH_INFO"] = unquote_to_bytes(urlsplit(path).path).decode("latin-1")  # as a server gives it (PEP 3333)
    seen = {}
    body = b"".join(app(environ, lambda status, headers, exc_info=None: seen.update(status=status, headers=headers)))
    return seen["status"], sorted(seen["headers"]), body


READS = [
    {},
    {"HTTP_ORIGIN": "https://store.example.com"},  # a storefront's CORS read
    {"HTTP_ORIGIN": "https://evil.example.com"},
    {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_ACCEPT": "application/json"},
    {"HTTP_IF_NONE_MATCH": '"v1"', "HTTP_COOKIE": "sessionid=abc"},
]


def product_reads() -> float:
    return value(exposition().decode(), "shop_http_requests_total", route="/products/<id:product_id>", method="GET",
                 status="200")


@pytest.mark.parametrize("extra", READS)
def test_a_read_takes_the_short_way_and_answers_as_djangos_way(gateway_role, upstream, extra):
    gateway_role.SECURE_HSTS_SECONDS = 3600
    gateway_role.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    spy, counted = Spy(), product_reads()
    short = answer(Passthrough(spy), "GET", "/products/7?page=1", **extra)
    assert spy.calls == 0 and product_reads() == counted + 1  # counted under its route, as Django's way counts it
    assert short == answer(spy, "GET", "/products/7?page=1", **extra)
    assert ("X-Request-ID", "req-1") in short[1] and ("X-Frame-Options", "DENY") in short[1]


def test_a_plain_answer_is_passed_on_without_a_response_object(gateway_role, upstream, monkeypatch):
    """An upstream's good answer, already varying on Origin, to a read without an Origin gets only the headers the
    middleware adds to every answer (compared with Django's way above), without an HttpResponse built for it."""
    def unexpected(relayed):
        raise AssertionError("an HttpResponse was built")

    monkeypatch.setattr(Relayed, "response", unexpected)
    assert answer(Passthrough(Spy()), "GET", "/products/7")[0] == "200 OK"


@pytest.mark.parametrize("answered", [
    Answer(404, Headers([("Content-Type", "application/problem+json")]), b'{"status": 404}'),
    Answer(200, Headers([("Content-Type", "application/json"), ("Vary", "Accept")]), b"{}"),  # CORS adds to Vary
    Answer(200, Headers([("Content-Type", "text/html"), ("Set-Cookie", "csrftoken=abc; Path=/; SameSite=Lax")]), b"<p>"),
    ServiceUnavailable("catalog is unavailable (circuit open)."),
])
def test_the_upstreams_problems_cookies_and_absence_answer_and_log_alike(gateway_role, upstream, answered, caplog):
    upstream["answer"] = answered
    spy = Spy()
    short = answer(Passthrough(spy), "GET", "/products/7")
    short_log = [(r.name, r.levelname, r.getMessage(), r.request_id) for r in caplog.records]
    caplog.clear()
    assert spy.calls == 0 and short == answer(spy, "GET", "/products/7")
    assert short_log == [(r.name, r.levelname, r.getMessage(), r.request_id) for r in caplog.records]


@pytest.mark.parametrize("method, path, extra", [
    ("POST", "/orders", {"data": {"items": []}, "content_type": "application/json"}),  # a write
    ("GET", "/", {}),  # the gateway's own page
    ("GET", "/products/7", {"HTTP_HOST": "evil.example.com"}),  # a Host not allowed: Django's 400
    ("GET", "/orders/%C3%8F%F3%A0%BC%A4%05", {}),  # no route: Django's 404 (the short way must leave the path as sent)
])
def test_writes_own_pages_and_refused_hosts_take_djangos_way(gateway_role, upstream, method, path, extra):
    gateway_role.ALLOWED_HOSTS = ["testserver"]
    spy = Spy()
    assert answer(Passthrough(spy), method, path, **extra)[0][:3] in ("201", "400", "404", "200")
    assert spy.calls == 1


def test_plain_http_is_redirected_by_djangos_way(gateway_role, upstream):
    gateway_role.SECURE_SSL_REDIRECT = True
    spy = Spy()
    status, headers, _ = answer(Passthrough(spy), "GET", "/products/7")
    assert spy.calls == 1 and status.startswith("301") and upstream["calls"] == []


def test_a_middleware_the_short_way_does_not_know_turns_it_off(gateway_role, upstream):
    gateway_role.MIDDLEWARE = [*gateway_role.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]
    spy = Spy()
    answer(Passthrough(spy), "GET", "/products/7")
    assert spy.calls == 1


def test_a_traced_read_gets_the_server_span_of_djangos_way(gateway_role, upstream, monkeypatch):
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "psycopg,redis,celery,urllib3")  # server spans only
    exporter, provider = InMemorySpanExporter(), TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    for name in ("_enabled", "_provider"):  # as they were, after the test
        monkeypatch.setattr(telemetry, name, getattr(telemetry, name))
    telemetry.instrument(provider)  # puts the server span's middleware first in settings.MIDDLEWARE
    spy, traceparent = Spy(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    answer(Passthrough(spy), "GET", "/products/7", HTTP_TRACEPARENT=traceparent)
    answer(spy, "GET", "/products/7", HTTP_TRACEPARENT=traceparent)
    short, django_way = exporter.get_finished_spans()
    assert spy.calls == 1 and short.name == "GET products/<id:product_id>"
    assert (short.name, short.kind, short.parent.span_id, dict(short.attributes)) == \
        (django_way.name, django_way.kind, django_way.parent.span_id, dict(django_way.attributes))


def test_the_route_table_keeps_djangos_order_and_ends_at_the_first_route_it_cannot_index():
    from django.urls import path, re_path

    from shop.gateway.passthrough import routes_by_first_segment

    view = ProxyView.as_view(upstream="catalog")
    patterns = [path("products", view), path("orders/<int:pk>", view), path("products/<int:pk>", view),
                path("<str:anything>/x", view), path("later", view), re_path(r"", view)]
    table = routes_by_first_segment(patterns)
    assert {first: [str(p.pattern) for p in found] for first, found in table.items()} == \
        {"products": ["products", "products/<int:pk>"], "orders": ["orders/<int:pk>"]}
