"""The gateway's short way for a read: a GET without a body, to a forwarded route, goes to its ProxyView beneath
Django's handler (issue 23: the handler's per-request signals, header parsing and middleware calls were a third
of the gateway's CPU per forwarded read). It still passes through what the gateway's middleware does to such a
request, in the same order and with the same classes: the metrics, the trace's server span, the HTTPS redirect
(left to Django's way), CORS, the request id and access line, the security and framing headers, and the
handler's warning for an answer of 400 or more. Everything else (a write, a body, a route the gateway renders
itself, a Host not allowed) takes Django's way unchanged.

The short way knows the middleware below; when settings.MIDDLEWARE holds any other, it stays off."""
import io
import logging
import time
from collections import defaultdict
from http.client import responses

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.urls import URLPattern, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from django.utils.module_loading import import_string

from shop.gateway.proxy import ProxyView, Relayed
from shop.platform.observability import telemetry
from shop.platform.observability.logs import current_trace_id
from shop.platform.observability.metrics import count_request, route_of
from shop.platform.observability.request_id import REQUEST_ID_HEADER, log_access, request_id_from, request_id_var
from shop.platform.observability.server_span import answered, request_attributes, serving

logger = logging.getLogger(__name__)
METRICS = "shop.platform.observability.metrics.MetricsMiddleware"
SECURITY = "django.middleware.security.SecurityMiddleware"
CORS = "corsheaders.middleware.CorsMiddleware"
FRAMING = "django.middleware.clickjacking.XFrameOptionsMiddleware"
# Middleware with nothing to do for a body-less GET to a forwarded route: static files are never at those
# paths, and there is no body to limit.
IDLE = ("whitenoise.middleware.WhiteNoiseMiddleware", "shop.platform.api.body_limit.BodySizeLimitMiddleware")
KNOWN = frozenset((METRICS, SECURITY, CORS, FRAMING, telemetry.SERVER_SPANS,
                   "shop.platform.observability.request_id.RequestIdMiddleware", *IDLE))


def unused(request):  # the get_response of middleware whose response hooks alone are called
    raise AssertionError("not called")


def routes_by_first_segment(patterns) -> dict[str, list[URLPattern]]:
    """The URLconf's leading plain routes ("products/<id:product_id>") by their first path segment, in order:
    a path can only match those of its own first segment, so they are tried alone, as Django would try them.
    The first pattern that is not a plain route (an include, a regex, a converter first) ends the table."""
    table = defaultdict(list)
    for pattern in patterns:
        route = str(pattern.pattern)
        if not (isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern)) or \
                "<" in route.split("/", 1)[0]:
            break
        table[route.split("/", 1)[0]].append(pattern)
    return dict(table)


class Passthrough:
    """WSGI application of the gateway: the short way for reads, Django's `handler` for everything else."""

    def __init__(self, handler):
        self.handler = handler
        unknown = [name for name in settings.MIDDLEWARE if name not in KNOWN]
        self.on = not unknown
        if unknown:
            logger.warning("gateway: reads take Django's way, as the short way does not know %s", ", ".join(unknown))
        self.routes = routes_by_first_segment(get_resolver().url_patterns)
        self.counted = METRICS in settings.MIDDLEWARE
        self.tracer = telemetry.tracer(__name__) if telemetry.SERVER_SPANS in settings.MIDDLEWARE else None
        # response hooks, innermost first, as Django's middleware chain calls them
        self.framing = import_string(FRAMING)(unused).process_response
        self.cors = import_string(CORS)(unused)
        self.security = import_string(SECURITY)(unused)
        self.added = {scheme: self.headers_added(scheme) for scheme in ("http", "https")}
        self.added_names = {name.lower() for added in self.added.values() for name, _ in added}

    def __call__(self, environ, start_response):
        request, match = self.read(environ) if self.on else (None, None)
        if request is None:
            return self.handler(environ, start_response)
        started = time.perf_counter()
        if self.tracer is None:
            status, headers, body = self.forward(request, match)
        else:
            with serving(self.tracer, environ, "GET", lambda: request_attributes(request)) as span:
                status, headers, body = self.forward(request, match)
                if span.is_recording():
                    answered(span, "GET", match.route, status)
        if self.counted:
            count_request(route_of(match), "GET", status, time.perf_counter() - started)
        start_response(f"{status} {responses.get(status, 'Unknown Status Code')}", headers)
        return [body]

    def read(self, environ):
        """The request and its route when it may take the short way, else (None, None)."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("CONTENT_LENGTH") not in (None, "", "0") \
                or "HTTP_TRANSFER_ENCODING" in environ:
            return None, None
        request = WSGIRequest(dict(environ))  # a copy: it writes the decoded path back, which Django's way decodes again
        path = request.path_info[1:]
        match = next(filter(None, (pattern.resolve(path) for pattern in self.routes.get(path.split("/", 1)[0], ()))),
                     None)
        if getattr(getattr(match, "func", None), "view_class", None) is not ProxyView:
            return None, None  # no route, or a page of the gateway's own
        try:
            request.get_host()  # a Host not allowed: Django's way answers its 400
        except DisallowedHost:
            return None, None
        if self.security.process_request(request):
            return None, None  # a redirect to HTTPS
        request.resolver_match = match
        return request, match

    def forward(self, request, match) -> tuple[int, list[tuple[str, str]], bytes]:
        """ProxyView's answer inside the inner middleware's work: the request id, then CORS and the headers."""
        request_id = request_id_from(request.META)
        request.request_id, request.trace_id = request_id, current_trace_id()  # for the lines logged after
        token = request_id_var.set(request_id)
        try:
            started = time.perf_counter()
            answer = ProxyView(**match.func.view_initkwargs).relay(request)
            if self.plain(request, answer):
                log_access(request, answer.status_code, started)
                return answer.status_code, [*answer.headers.items(), *self.added[request.scheme],
                                            (REQUEST_ID_HEADER, request_id)], answer.data
            response = answer if isinstance(answer, HttpResponse) else answer.response()
            self.framing(request, response)
            log_access(request, response.status_code, started)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        if "HTTP_ORIGIN" in request.META:
            self.cors.add_response_headers(request, response)
        elif self.cors.is_enabled(request):  # all CorsMiddleware does without an Origin (it would parse every header)
            patch_vary_headers(response, ("origin",))
        response = self.security.process_response(request, response)
        if response.status_code >= 400:  # as Django's handler logs it, after the middleware
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        return response.status_code, [*response.items(), *(("Set-Cookie", c.output(header="")) for c in
                                                            response.cookies.values())], response.content

    def plain(self, request, answer) -> bool:
        """Whether the answer is a plain one of the upstream's, which the response middleware would change only by
        the headers it adds to every answer (self.added): a good answer, with its type, no cookie, none of those
        headers and already varying on Origin, to a request without one (CORS has nothing to add)."""
        if not isinstance(answer, Relayed) or answer.status_code >= 400 or answer.cookies \
                or "HTTP_ORIGIN" in request.META:
            return False
        names = {name.lower(): value for name, value in answer.headers.items()}
        varies_on = {token.strip().lower() for token in names.get("vary", "").split(",")}
        return "content-type" in names and "origin" in varies_on and names.keys().isdisjoint(self.added_names)

    def headers_added(self, scheme: str) -> list[tuple[str, str]]:
        """The headers the framing and security middleware add to any answer without them: they depend on the
        request's scheme alone, so they are asked once per scheme."""
        request = WSGIRequest({"REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": scheme})
        answer = HttpResponse()
        defaults = set(answer.headers)  # its Content-Type
        answer = self.security.process_response(request, self.framing(request, answer))
        return [(name, value) for name, value in answer.items() if name not in defaults]
