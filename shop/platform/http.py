"""Calls to other services: pooled keep-alive connections, timeouts on every call, retries only
where safe, and a circuit breaker per upstream whose open state fails fast."""
import json
from functools import cache
from urllib.parse import urlencode

import pybreaker
import urllib3
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from urllib3.exceptions import HTTPError, ReadTimeoutError

from shop.platform.breaker import breaker_for
from shop.platform.discovery import get_discovery
from shop.platform.errors import PROBLEM_CONTENT_TYPE, ServiceUnavailable, ShopError, UpstreamTimeout
from shop.platform.request_id import REQUEST_ID_HEADER, request_id_var
from shop.platform.service_auth import SCHEME, service_token
from shop.platform.wire import decode

RETRYABLE_STATUSES = (502, 503, 504)


class UpstreamServerError(Exception):
    """A proxy in front of the upstream answered 502/504: counts against the breaker like a refused
    connection or a timeout. A live upstream's own answers do not, its 500/503/504 problem documents
    included: it answered (a slow dependency of its own is its breaker's business, not ours)."""

    def __init__(self, response):
        super().__init__(f"upstream answered {response.status}")
        self.response = response


@cache
def _retries(idempotent: bool) -> urllib3.Retry:
    """Connection failures are retried for any call (nothing was sent); statuses only when idempotent.
    Reads are never retried, so a slow upstream costs one timeout, not several."""
    return urllib3.Retry(total=2, connect=2, read=False, other=0, status=2 if idempotent else 0,
                         status_forcelist=RETRYABLE_STATUSES, allowed_methods=None, backoff_factor=0.02,
                         raise_on_status=False, redirect=0)


def _timeout() -> urllib3.Timeout:
    return _timeout_of(settings.SHOP_CONNECT_TIMEOUT, settings.SHOP_HOP_TIMEOUT)


@cache
def _timeout_of(connect: float, read: float) -> urllib3.Timeout:
    return urllib3.Timeout(connect=connect, read=read)


@cache
def _connection_pool(base_url: str) -> urllib3.HTTPConnectionPool:
    """One keep-alive pool per upstream address, shared by every thread of the process."""
    return urllib3.connection_from_url(base_url, maxsize=64, block=False)


def send(upstream: str, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None,
         idempotent: bool = False):
    """Sends one request to `upstream` (an app name) and returns the urllib3 response.

    Raises ServiceUnavailable (circuit open, refused), UpstreamTimeout (read timeout) or
    UpstreamServerError (a 502/504 from a proxy in front of it; the response rides along)."""
    pool = _connection_pool(get_discovery().resolve(upstream))
    request_id = request_id_var.get()  # outside a request (a task) the callee makes a fresh one
    headers = {**({REQUEST_ID_HEADER: request_id} if request_id != "-" else {}), **(headers or {})}

    def attempt():
        response = pool.urlopen(method, path, body=body, headers=headers, timeout=_timeout(),
                                retries=_retries(idempotent), preload_content=True, redirect=False)
        if response.status in (502, 504) and response.headers.get("Content-Type") != PROBLEM_CONTENT_TYPE:
            raise UpstreamServerError(response)
        return response

    try:
        return breaker_for(upstream).call(attempt)
    except pybreaker.CircuitBreakerError as exc:
        raise ServiceUnavailable(f"{upstream} is unavailable (circuit open).") from exc
    except HTTPError as exc:
        if isinstance(getattr(exc, "reason", exc), ReadTimeoutError):
            raise UpstreamTimeout(f"{upstream} did not answer within {settings.SHOP_HOP_TIMEOUT}s.") from exc
        raise ServiceUnavailable(f"{upstream} is unreachable.") from exc


class ServiceClient:
    """JSON calls to one app's internal API: answers decoded into the app's DTOs, problem responses mapped
    back to the app's errors."""

    def __init__(self, door, *, errors: tuple[type[ShopError], ...] = ()):
        """`door` is the app's shop.platform.door.Door; `errors` the app errors its problems may name."""
        self.app = door.app
        self.unavailable = door.unavailable
        self.errors = {error.code: error for error in errors}

    def call(self, method: str, path: str, *, data=None, params: dict | None = None, idempotent: bool = False,
             user_id: int | None = None, returns=None):
        """The answer decoded as `returns` (a DTO class or list[DTO]), or the parsed JSON when it is None."""
        if params:
            path = f"{path}?{urlencode(params)}"
        headers = {"Authorization": f"{SCHEME} {service_token(audience=self.app, user_id=user_id)}",
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
