"""Calls to other services: keep-alive connections, timeouts on every call, retries only where safe, and a
circuit breaker per upstream whose open state fails fast."""
import json
import time
from contextlib import nullcontext
from urllib.parse import urlencode

import pybreaker
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from shop.platform.observability import telemetry
from shop.platform.remote.breaker import breaker_for
from shop.platform.remote.connections import Answer, Dropped, Unreachable, exchange
from shop.platform.remote.discovery import get_discovery
from shop.platform.errors import PROBLEM_CONTENT_TYPE, ServiceUnavailable, ShopError, UpstreamTimeout
from shop.platform.observability.request_id import REQUEST_ID_HEADER, request_id_var
from shop.platform.remote.service_auth import SCHEME, service_token
from shop.platform.remote.wire import decode

RETRYABLE_STATUSES = (502, 503, 504)
RETRIES = 2  # more attempts after the first, at most
BACKOFF = 0.02  # seconds before the first retry, doubled before each next one


class UpstreamServerError(Exception):
    """A proxy in front of the upstream answered 502/504: counts against the breaker like a refused
    connection or a timeout. A live upstream's own answers do not, its 500/503/504 problem documents
    included: it answered (a slow dependency of its own is its breaker's business, not ours)."""

    def __init__(self, response: Answer):
        super().__init__(f"upstream answered {response.status}")
        self.response = response


def _attempts(base_url: str, method: str, path: str, body: bytes | None, headers: dict, idempotent: bool) -> Answer:
    """The exchange, tried again when that is safe: after a failed connect (nothing was sent) for any call;
    after a dropped kept-alive connection or a 502/503/504 only for idempotent calls. A read timeout is never
    tried again, so a slow upstream costs one timeout, not several."""
    retry = 0
    while True:
        try:
            answer = exchange(base_url, method, path, body=body, headers=headers,
                              connect_timeout=settings.SHOP_CONNECT_TIMEOUT, read_timeout=settings.SHOP_HOP_TIMEOUT)
        except Unreachable:
            if retry == RETRIES:
                raise
        except Dropped:
            if retry == RETRIES or not idempotent:
                raise
        else:
            if retry == RETRIES or not (idempotent and answer.status in RETRYABLE_STATUSES):
                return answer
        time.sleep(BACKOFF * 2 ** retry)
        retry += 1


def send(upstream: str, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
         idempotent: bool = False, client_span: bool = True) -> Answer:
    """Sends one request to `upstream` (an app name) and returns its answer. The call is a client span of the
    trace, unless `client_span` is False (the gateway's forward): then it carries the current span's context
    and records none of its own, as a proxy's OpenTelemetry module does (nginx's: one span per request).

    Raises ServiceUnavailable (circuit open, refused), UpstreamTimeout (read timeout) or
    UpstreamServerError (a 502/504 from a proxy in front of it; the answer rides along)."""
    base_url = get_discovery().resolve(upstream)
    request_id = request_id_var.get()  # outside a request (a task) the callee makes a fresh one
    headers = {**({REQUEST_ID_HEADER: request_id} if request_id != "-" else {}), **(headers or {})}

    def attempt():
        traced = telemetry.client_span(method, base_url + path) if client_span \
            else nullcontext(telemetry.current_context())
        with traced as trace_headers:
            answer = _attempts(base_url, method, path, body, {**headers, **trace_headers}, idempotent)
        if answer.status in (502, 504) and answer.headers.get("Content-Type") != PROBLEM_CONTENT_TYPE:
            raise UpstreamServerError(answer)
        return answer

    try:
        return breaker_for(upstream).call(attempt)
    except pybreaker.CircuitBreakerError as exc:
        raise ServiceUnavailable(f"{upstream} is unavailable (circuit open).") from exc
    except TimeoutError as exc:
        raise UpstreamTimeout(f"{upstream} did not answer within {settings.SHOP_HOP_TIMEOUT}s.") from exc
    except OSError as exc:
        raise ServiceUnavailable(f"{upstream} is unreachable.") from exc


class ServiceClient:
    """JSON calls to one app's internal API: answers decoded into the app's DTOs, problem responses mapped
    back to the app's errors. A 5xx, or a 401/403 (the callee refused this service's credentials: a clock,
    a key), is the app's unavailable error, a 503 that no Idempotency-Key keeps."""

    def __init__(self, door, *, errors: tuple[type[ShopError], ...] = ()):
        """`door` is the app's shop.platform.remote.door.Door; `errors` the app errors its problems may name."""
        self.app = door.app
        self.unavailable = door.unavailable
        self.errors = {error.code: error for error in errors}

    def call(self, method: str, path: str, *, data=None, params: dict | None = None, idempotent: bool = False,
             user_id: int | None = None, returns=None):
        """The answer decoded as `returns` (a DTO class or list[DTO]), or the parsed JSON when it is None.
        A `path` made by path_to names the apps its route admits: the call is signed as one of them."""
        token = service_token(audience=self.app, user_id=user_id, callers=getattr(path, "callers", ()))
        if params:
            path = f"{path}?{urlencode(params)}"
        headers = {"Authorization": f"{SCHEME} {token}",
                   "Accept": "application/json"}
        body = None
        if data is not None:
            body = json.dumps(data, cls=DjangoJSONEncoder).encode()
            headers["Content-Type"] = "application/json"
        try:
            response = send(self.app, method, path, body=body, headers=headers, idempotent=idempotent)
        except (ServiceUnavailable, UpstreamServerError) as exc:
            raise self.unavailable(exc.detail if isinstance(exc, ShopError) else str(exc)) from exc
        if response.status >= 500:
            raise self.unavailable(f"{self.app} answered {response.status}.")
        if response.status in (401, 403):  # it refused this service, not the end user: a fault of ours
            raise self.unavailable(f"{self.app} refused our credentials ({response.status}).")
        try:
            payload = json.loads(response.data) if response.data else None
        except ValueError as exc:
            raise self.unavailable(f"{self.app} answered {response.status} with a body that is not JSON.") from exc
        if response.status >= 400:
            raise self._error(response.status, payload or {})
        return payload if returns is None else self._decoded(returns, payload)

    def _decoded(self, returns, payload):
        try:
            return decode(returns, payload)
        except (TypeError, ArithmeticError) as exc:
            raise self.unavailable(f"{self.app} answered a body that is not a {returns}: {exc}") from exc

    def _error(self, status: int, problem: dict) -> ShopError:
        code = str(problem.get("type", "")).partition("/problems/")[2]  # "about:blank" names no code
        detail = problem.get("detail") or problem.get("title")
        if code in self.errors:
            return self.errors[code](detail)
        error = ShopError(detail)
        error.status, error.code, error.title = status, code or "upstream-error", problem.get("title", "Upstream error")
        return error
