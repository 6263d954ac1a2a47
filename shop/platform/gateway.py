"""The API gateway's forwarding view: one DRF view, routed per upstream by gateway_urls.py."""
import logging
import time

from django.http import HttpResponse
from rest_framework.views import APIView

from shop.platform import fallback
from shop.platform.errors import ServiceUnavailable, UpstreamTimeout
from shop.platform.http import UpstreamServerError, send

logger = logging.getLogger(__name__)
FORWARDED_REQUEST_HEADERS = ("Authorization", "Idempotency-Key", "Content-Type", "Accept")
RETURNED_HEADERS = ("Content-Type", "Idempotent-Replayed", "Allow", "WWW-Authenticate", "Retry-After", "Location")
STALE_HEADER = "X-Shop-Stale"
FALLBACK_REFRESH = 60.0  # seconds: an unchanged last good response is written again at most this often
FALLBACK_MEMO_SIZE = 4096  # paths whose last written body this process remembers
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
# WSGI environ keys of the forwarded headers (CGI names them CONTENT_TYPE, HTTP_<NAME> for the others).
_ENVIRON_KEYS = tuple(
    (header, "CONTENT_TYPE" if header == "Content-Type" else "HTTP_" + header.upper().replace("-", "_"))
    for header in FORWARDED_REQUEST_HEADERS
)
_written: dict[str, tuple[bytes, float]] = {}  # fallback key -> body and when this process cached it


class ProxyView(APIView):
    """Forwards method, path, query, body and the caller's headers to `upstream`; relays the answer.

    The upstream authenticates and validates the caller itself, so the gateway skips DRF's request
    wrapping, negotiation, auth, permission and throttling steps: a forwarded request costs what the
    forwarding needs. Its own failures go through the shared exception handler as problem documents
    (503 unavailable or open circuit, 504 timeout)."""

    upstream: str = ""
    stale_fallback = False  # GET may serve the last good response when the upstream is unavailable
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()
    schema = None  # the gateway serves the monolith's committed schema

    def dispatch(self, request, *args, **kwargs):
        """APIView.dispatch without the DRF Request: only the exception handling is kept."""
        self.args, self.kwargs, self.request, self.headers = args, kwargs, request, {}
        method = request.method.lower()
        handler = getattr(self, method, None) if method in self.http_method_names else None
        try:
            if handler is None:
                self.http_method_not_allowed(request)
            return handler(request, *args, **kwargs)
        except Exception as exc:
            return self.handle_exception(exc)

    def proxy(self, request, *args, **kwargs):
        try:
            return self.forward(request)
        except (ServiceUnavailable, UpstreamTimeout):
            stale = self.stale_response(request)
            if stale is None:
                raise
            return stale

    get = post = put = patch = delete = head = options = proxy

    def forward(self, request) -> HttpResponse:
        environ = request.META
        query = environ.get("QUERY_STRING")
        path = request.path_info + (f"?{query}" if query else "")  # never SCRIPT_NAME: the services are at /
        headers = {header: environ[key] for header, key in _ENVIRON_KEYS if key in environ}
        headers.update(forwarded_headers(request))
        body = request.body if environ.get("CONTENT_LENGTH", "0") not in ("", "0") else None
        try:
            upstream = send(self.upstream, request.method, path, body=body or None, headers=headers,
                            idempotent=request.method in IDEMPOTENT_METHODS)
        except UpstreamServerError as exc:
            upstream = exc.response
        returned = upstream.headers
        response = HttpResponse(upstream.data, status=upstream.status, content_type=returned.get("Content-Type"))
        for header in RETURNED_HEADERS[1:]:
            value = returned.get(header)
            if value is not None:
                response[header] = value
        if self.stale_fallback and request.method == "GET" and upstream.status == 200:
            self.remember(request, upstream.data, returned.get("Content-Type") or "")
        return response

    def remember(self, request, body: bytes, content_type: str) -> None:
        """Keeps the last good response for the stale fallback. A changed body is written at once; one
        this process wrote less than FALLBACK_REFRESH seconds ago is not written again, since every
        write may be a round trip to Redis. So the fallback is this process's last good response, or
        another process's up to FALLBACK_REFRESH seconds older."""
        key = fallback.key_of(self.upstream, request)
        now = time.monotonic()
        last = _written.get(key)
        if key is None or last is not None and last[0] == body and now - last[1] < FALLBACK_REFRESH:
            return
        try:
            fallback.store(key, body, content_type)
        except Exception:  # a cache outage must not fail a good response
            logger.warning("gateway: could not store the fallback copy of %s", request.path, exc_info=True)
            return
        if len(_written) >= FALLBACK_MEMO_SIZE:
            _written.clear()
        _written[key] = (body, now)

    def stale_response(self, request) -> HttpResponse | None:
        key = fallback.key_of(self.upstream, request) if self.stale_fallback and request.method == "GET" else None
        if key is None:
            return None
        try:
            kept = fallback.load(key)
        except Exception:  # no cache, no fallback: the caller gets the upstream's error
            logger.warning("gateway: fallback cache unavailable", exc_info=True)
            return None
        if kept is None:
            return None
        logger.warning("gateway: %s unavailable, serving the last good %s", self.upstream, request.path)
        response = HttpResponse(kept[0], status=200, content_type=kept[1])
        response[STALE_HEADER] = "1"
        return response


def forwarded_headers(request) -> dict[str, str]:
    """Where the client is and which address it used: the services throttle on its address (X-Forwarded-For,
    the gateway's entry last) and build their links for the public host and scheme."""
    client, earlier = request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR")
    return {"X-Forwarded-For": f"{earlier}, {client}" if earlier else client,
            "X-Forwarded-Host": request.get_host(), "X-Forwarded-Proto": request.scheme}
