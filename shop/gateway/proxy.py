"""The API gateway's forwarding view: a plain Django view, routed per upstream by gateway_urls.py."""
from dataclasses import dataclass
from urllib.parse import quote

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import MethodNotAllowed

from shop.platform.errors import ServiceUnavailable, UpstreamTimeout, exception_handler
from shop.platform.remote.http import UpstreamServerError, send
from shop.gateway.last_good import LastGood

# Request headers passed to the upstream, with their WSGI environ keys (CGI names Content-Type apart).
FORWARDED_HEADERS = (
    ("Authorization", "HTTP_AUTHORIZATION"),
    ("Idempotency-Key", "HTTP_IDEMPOTENCY_KEY"),
    ("Content-Type", "CONTENT_TYPE"),
    ("Accept", "HTTP_ACCEPT"),
    ("If-None-Match", "HTTP_IF_NONE_MATCH"),
    ("Cookie", "HTTP_COOKIE"),  # a person's session (browsable API) ...
    ("X-CSRFToken", "HTTP_X_CSRFTOKEN"),  # ... its CSRF token, and where the page came from (Django's
    ("Origin", "HTTP_ORIGIN"),  # CSRF check compares these with the public host, from X-Forwarded-Host)
    ("Referer", "HTTP_REFERER"),
)
# Response headers passed back to the caller (lowercase names), besides the cookies.
RELAYED_HEADERS = frozenset(("content-type", "idempotent-replayed", "allow", "www-authenticate", "retry-after",
                             "location", "etag", "cache-control", "vary"))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


class ProxyView(View):
    """Forwards method, path, query, body and the caller's headers to `upstream`; relays the answer.

    The upstream authenticates and validates the caller itself. The gateway's own failures are problem
    documents from the shared handler (503 unavailable or open circuit, 504 timeout), answered from the
    last good response instead for GETs when `stale_fallback` is set."""

    upstream: str = ""
    stale_fallback = False

    @classmethod
    def as_view(cls, **initkwargs):
        return csrf_exempt(super().as_view(**initkwargs))  # the upstream decides who may write

    def proxy(self, request, *args, **kwargs) -> HttpResponse:
        answer = self.relay(request)
        return answer if isinstance(answer, HttpResponse) else answer.response()

    def relay(self, request) -> "Relayed | HttpResponse":
        """The upstream's answer to pass on, or the gateway's own: a problem document, or the stale copy."""
        try:
            return self.forward(request)
        except SuspiciousOperation:  # a Host not allowed, say: Django's 400, as on every page
            raise
        except (ServiceUnavailable, UpstreamTimeout) as exc:
            stale = self.stale_response(request)
            return stale if stale is not None else self.problem(request, exc)
        except Exception as exc:
            return self.problem(request, exc)

    get = post = put = patch = delete = head = options = proxy

    def http_method_not_allowed(self, request, *args, **kwargs) -> HttpResponse:
        return self.problem(request, MethodNotAllowed(request.method))

    def problem(self, request, exc: Exception) -> HttpResponse:
        return exception_handler(exc, {"view": self, "request": request})

    def forward(self, request) -> "Relayed":
        environ, query = request.META, request.META.get("QUERY_STRING")
        # never SCRIPT_NAME: the services are at /; quoted again as it came (the query never was unquoted)
        path = quote(request.path_info) + (f"?{query}" if query else "")
        headers = {header: environ[key] for header, key in FORWARDED_HEADERS if key in environ}
        headers.update(forwarded_headers(request))
        body = request.body if environ.get("CONTENT_LENGTH", "0") not in ("", "0") else None
        try:
            upstream = send(self.upstream, request.method, path, body=body or None, headers=headers,
                            idempotent=request.method in IDEMPOTENT_METHODS,
                            client_span=False)  # the hop's span is the gateway's server span
        except UpstreamServerError as exc:
            upstream = exc.response
        headers, cookies = relayed(upstream)
        headers["Content-Length"] = str(len(upstream.data))  # else the server would send it chunked
        if self.stale_fallback and request.method == "GET" and upstream.status == 200 \
                and upstream.headers.get("Content-Type") == "application/json":  # never a person's page
            LastGood(self.upstream).remember(request, upstream.data, "application/json")
        return Relayed(upstream.status, headers, cookies, upstream.data)

    def stale_response(self, request) -> HttpResponse | None:
        if not (self.stale_fallback and request.method == "GET"):
            return None
        return LastGood(self.upstream).response(request)


@dataclass(frozen=True)
class Relayed:
    """An upstream's answer as the gateway passes it on: its status, the relayed headers, its cookies
    (Set-Cookie values) and its body."""

    status_code: int
    headers: dict[str, str]
    cookies: list[str]
    data: bytes

    def response(self) -> HttpResponse:
        response = HttpResponse(self.data, status=self.status_code, headers=self.headers)
        for cookie in self.cookies:  # the session and CSRF cookies of the login page
            response.cookies.load(cookie)
        return response


def relayed(answer) -> tuple[dict[str, str], list[str]]:
    """The headers of the upstream's answer that the gateway passes on, and its cookies (Set-Cookie)."""
    headers, cookies = {}, []
    for name, value in answer.headers.items():
        lowered = name.lower()
        if lowered == "set-cookie":
            cookies.append(value)
        elif lowered in RELAYED_HEADERS:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers, cookies


def forwarded_headers(request) -> dict[str, str]:
    """Where the client is and which address it used: the services throttle on its address (X-Forwarded-For,
    the gateway's entry last) and build their links for the public host and scheme."""
    client, earlier = request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR")
    return {"X-Forwarded-For": f"{earlier}, {client}" if earlier else client,
            "X-Forwarded-Host": request.get_host(), "X-Forwarded-Proto": request.scheme}
