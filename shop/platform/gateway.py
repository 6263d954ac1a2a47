"""The API gateway's forwarding view: one DRF view, routed per upstream by gateway_urls.py."""
import logging

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.views import APIView

from shop.platform.errors import ServiceUnavailable, UpstreamTimeout
from shop.platform.http import UpstreamServerError, send

logger = logging.getLogger(__name__)
FORWARDED_REQUEST_HEADERS = ("Authorization", "Idempotency-Key", "Content-Type", "Accept")
RETURNED_HEADERS = ("Content-Type", "Idempotent-Replayed", "Allow", "WWW-Authenticate", "Retry-After", "Location")
STALE_HEADER = "X-Shop-Stale"
FALLBACK_TTL = 24 * 3600


class ProxyView(APIView):
    """Forwards method, path, query, body and the caller's headers to `upstream`; relays the answer.

    The upstream authenticates and validates the caller itself, so the gateway skips DRF's
    negotiation, auth, permission and throttling steps; its own failures go through the shared
    exception handler as problem documents (503 unavailable or open circuit, 504 timeout)."""

    upstream: str = ""
    stale_fallback = False  # GET may serve the last good response when the upstream is unavailable
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()

    @property
    def default_response_headers(self):
        return {}

    def initial(self, request, *args, **kwargs):
        """Nothing to check here: the upstream does it."""

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
        path = request.get_full_path()
        headers = {h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers}
        idempotent = request.method in ("GET", "HEAD", "OPTIONS")
        try:
            upstream = send(self.upstream, request.method, path, body=request.body or None, headers=headers,
                            idempotent=idempotent)
        except UpstreamServerError as exc:
            upstream = exc.response
        response = HttpResponse(upstream.data, status=upstream.status)
        for header in RETURNED_HEADERS:
            if header in upstream.headers:
                response[header] = upstream.headers[header]
        if self.stale_fallback and request.method == "GET" and upstream.status == 200:
            cache.set(self._cache_key(path), (upstream.data, upstream.headers.get("Content-Type")), FALLBACK_TTL)
        return response

    def stale_response(self, request) -> HttpResponse | None:
        if not (self.stale_fallback and request.method == "GET"):
            return None
        cached = cache.get(self._cache_key(request.get_full_path()))
        if cached is None:
            return None
        logger.warning("gateway: %s unavailable, serving the last good %s", self.upstream, request.path)
        response = HttpResponse(cached[0], status=200, content_type=cached[1])
        response[STALE_HEADER] = "1"
        return response

    def _cache_key(self, path: str) -> str:
        return f"gateway:last-good:{self.upstream}:{path}"
