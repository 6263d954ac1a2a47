"""shop.platform.remote.http against tiny real HTTP servers on loopback: mapping, timeouts, retries, breaker, headers."""
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shop.platform.remote.breaker import breaker_for
from shop.platform.remote.discovery import get_discovery
from shop.platform.remote.door import Door
from shop.platform.errors import ServiceUnavailable, ShopError, UpstreamTimeout
from shop.platform.remote.http import ServiceClient
from shop.platform.observability.request_id import request_id_var
from shop.platform.remote.service_auth import ServiceCaller, ServiceTokenAuthentication


class WidgetMissing(ShopError):
    status = 404
    code = "widget-missing"
    title = "Widget missing"


class WidgetsUnavailable(ServiceUnavailable):
    code = "catalog-unavailable"
    title = "Widgets are unavailable"


WIDGETS = Door("catalog", unavailable=WidgetsUnavailable)


class FakeUpstream:
    """Answers every request with (status, body) after an optional stall; records what it received."""

    def __init__(self):
        self.status, self.body, self.stall, self.content_type = 200, {"ok": True}, False, "application/json"
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "body": self.rfile.read(length)})
                if fake.stall:
                    fake.release.wait(timeout=10)
                payload = json.dumps(fake.body).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", fake.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture(autouse=True)
def fresh_caches(settings):
    settings.SHOP_REDIS_URL = ""  # breakers in memory: no state shared with other tests
    settings.SHOP_SERVICE = "orders"  # the calls are made as a split service, which signs with its own key
    breaker_for.cache_clear()
    get_discovery.cache_clear()
    yield
    breaker_for.cache_clear()
    get_discovery.cache_clear()


@pytest.fixture
def upstream(settings):
    fake = FakeUpstream()
    settings.SHOP_SERVICE_URLS = {**settings.SHOP_SERVICE_URLS, "catalog": fake.url}
    yield fake
    fake.stop()


@pytest.fixture
def client():
    return ServiceClient(WIDGETS, errors=(WidgetMissing,))


def test_json_call_sends_params_and_body_and_returns_the_payload(upstream, client):
    upstream.body = {"id": 7, "name": "widget"}
    answer = client.call("POST", "/internal/widgets", data={"qty": 2}, params={"ids": "1,2"})
    assert answer == {"id": 7, "name": "widget"}
    [seen] = upstream.requests
    assert (seen["method"], seen["path"]) == ("POST", "/internal/widgets?ids=1%2C2")
    assert json.loads(seen["body"]) == {"qty": 2}
    assert seen["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize("status, code, error_class", [
    (404, "widget-missing", WidgetMissing),
    (409, "something-else", ShopError),
    (410, "", ShopError),
])
def test_problem_responses_map_to_the_apps_errors_by_code(upstream, client, status, code, error_class):
    upstream.status = status
    upstream.body = {"type": f"/problems/{code}" if code else "about:blank", "title": "Nope", "status": status,
                     "detail": "It went wrong."}
    with pytest.raises(ShopError) as caught:
        client.call("GET", "/internal/widgets/1")
    assert type(caught.value) is error_class
    assert (caught.value.status, caught.value.detail) == (status, "It went wrong.")
    assert caught.value.code == (code or "upstream-error")


def test_connection_refused_is_the_apps_unavailable_error(settings, client):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.SHOP_SERVICE_URLS = {**settings.SHOP_SERVICE_URLS, "catalog": f"http://127.0.0.1:{port}"}
    with pytest.raises(WidgetsUnavailable):
        client.call("GET", "/internal/widgets/1", idempotent=True)


def test_a_slow_upstream_times_out_without_being_retried(settings, upstream, client):
    settings.SHOP_HOP_TIMEOUT = 0.2
    upstream.stall = True
    with pytest.raises(UpstreamTimeout):
        client.call("GET", "/internal/widgets/1", idempotent=True)
    assert len(upstream.requests) == 1


@pytest.mark.parametrize("idempotent, attempts", [(True, 3), (False, 1)])
def test_503_is_retried_only_for_idempotent_calls(upstream, client, idempotent, attempts):
    upstream.status, upstream.body = 503, {"type": "/problems/service-unavailable", "status": 503}
    with pytest.raises(WidgetsUnavailable):
        client.call("POST", "/internal/widgets", data={}, idempotent=idempotent)
    assert len(upstream.requests) == attempts


def test_repeated_failures_open_the_breaker_and_stop_sending(settings, upstream, client):
    settings.SHOP_BREAKER_FAIL_MAX, settings.SHOP_BREAKER_RESET_SECONDS = 2, 60
    upstream.status = 502  # a dead upstream behind a proxy; not retried: the calls are not idempotent
    for _ in range(2):
        with pytest.raises(WidgetsUnavailable):
            client.call("GET", "/internal/widgets/1")
    with pytest.raises(WidgetsUnavailable, match="circuit open"):
        client.call("GET", "/internal/widgets/1")
    assert len(upstream.requests) == 2


def test_an_upstreams_own_504_problem_is_an_answer_not_a_dead_upstream(settings, upstream, client):
    settings.SHOP_BREAKER_FAIL_MAX, settings.SHOP_BREAKER_RESET_SECONDS = 2, 60
    upstream.status, upstream.content_type = 504, "application/problem+json"  # its own dependency was slow
    upstream.body = {"type": "/problems/upstream-timeout", "title": "Upstream timed out", "status": 504}
    for _ in range(4):
        with pytest.raises(WidgetsUnavailable):
            client.call("POST", "/internal/widgets", data={})
    assert len(upstream.requests) == 4  # the circuit stayed closed


def test_sends_a_service_credential_that_verifies_and_carries_the_user(upstream, client):
    client.call("GET", "/internal/widgets/1", user_id=42)
    authorization = upstream.requests[0]["headers"]["Authorization"]
    request = APIRequestFactory().get("/internal/widgets/1", HTTP_AUTHORIZATION=authorization)
    caller, _ = ServiceTokenAuthentication().authenticate(Request(request))
    assert caller == ServiceCaller(service="orders", user_id=42)


def test_propagates_the_request_id(upstream, client):
    token = request_id_var.set("req-abc.123")
    try:
        client.call("GET", "/internal/widgets/1")
    finally:
        request_id_var.reset(token)
    assert upstream.requests[0]["headers"]["X-Request-ID"] == "req-abc.123"


@dataclass(frozen=True)
class Widget:
    id: int
    name: str


def test_answers_decode_into_the_requested_dto(upstream, client):
    upstream.body = [{"id": 7, "name": "widget"}]
    assert client.call("GET", "/internal/widgets", returns=list[Widget]) == [Widget(7, "widget")]


def test_an_answer_that_does_not_fit_the_dto_is_the_apps_unavailable_error(upstream, client):
    upstream.body = {"id": "seven", "name": "widget"}
    with pytest.raises(WidgetsUnavailable):
        client.call("GET", "/internal/widgets/7", returns=Widget)


@pytest.mark.parametrize("status", [401, 403])
def test_an_upstream_that_refuses_our_credentials_is_the_apps_unavailable_error(upstream, client, status):
    """A hop's 401/403 refuses this service, not the end user's request: a 503 of ours, which no
    Idempotency-Key keeps (the user's own credentials are checked by the public view, before any hop)."""
    upstream.status = status
    upstream.body = {"type": "/problems/authentication-failed", "title": "Unauthorized", "status": status,
                     "detail": "Invalid service credentials."}
    with pytest.raises(WidgetsUnavailable) as caught:
        client.call("GET", "/internal/widgets/1")
    assert caught.value.status == 503
    assert "refused our credentials" in caught.value.detail
