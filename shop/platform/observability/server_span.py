"""One server span per request, on the OpenTelemetry API, in place of opentelemetry-instrumentation-django's
middleware (issue 23: that one paid most of its price whether or not the trace was sampled).

The W3C `traceparent` is read and the sampler asked first. An unsampled request pays for that and for
carrying the decision on (its context is current, so the calls it makes propagate "not sampled"), nothing
more. A sampled one is named, as the library names it, `<METHOD> <route>` once the URL is resolved, with the
stable HTTP semantic conventions' attributes."""
from contextlib import contextmanager, nullcontext

from django.http.request import HttpHeaders
from opentelemetry import context, propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Status, StatusCode

from shop.platform.observability import telemetry
from shop.platform.observability.db_span import statement_spans


class EnvironGetter(Getter):
    """Reads propagation headers (`traceparent`, ...) straight from a WSGI environ: request.headers would build
    a dict of every header on each request, sampled or not."""

    def get(self, carrier: dict, key: str) -> list[str] | None:
        value = carrier.get(HttpHeaders.to_wsgi_name(key))
        return None if value is None else [value]

    def keys(self, carrier: dict) -> list[str]:
        return [name for name in map(HttpHeaders.parse_header_name, carrier) if name]


ENVIRON = EnvironGetter()


@contextmanager
def serving(tracer, environ: dict, method: str, describe):
    """The server span of one request, current while the block runs; `describe()` gives a sampled span's first
    attributes (an unsampled request never calls it). What escapes the block is recorded on the span."""
    parent = propagate.extract(environ, getter=ENVIRON)
    span = tracer.start_span(method, context=parent, kind=SpanKind.SERVER)
    token = context.attach(trace.set_span_in_context(span, parent))
    try:
        if span.is_recording():
            span.set_attributes(describe())
        yield span
    except BaseException as error:  # Django answers exceptions itself; what escapes it is recorded
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        raise
    finally:
        context.detach(token)
        span.end()


def answered(span, method: str, route: str | None, status: int) -> None:
    """Names a sampled span after the route the request resolved to, and records the answer's status."""
    if route:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


def request_attributes(request) -> dict:
    return {"http.request.method": request.method, "url.path": request.path, "url.scheme": request.scheme,
            "server.address": request.get_host()}


class ServerSpanMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.tracer = telemetry.tracer(__name__)

    def __call__(self, request):
        with serving(self.tracer, request.META, request.method, lambda: request_attributes(request)) as span:
            if not span.is_recording():
                return self.get_response(request)
            with statement_spans() if telemetry.statements_traced() else nullcontext():
                response = self.get_response(request)
            answered(span, request.method, getattr(request.resolver_match, "route", None), response.status_code)
            return response
