"""OpenTelemetry tracing, configured only by the standard OTEL_* variables.

OTEL_TRACES_EXPORTER is `none` (the default: nothing is instrumented, so tracing costs nothing),
`console` or `otlp` (OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT). OTEL_SERVICE_NAME defaults to
`shop-<role>`. Incoming W3C `traceparent` headers are continued; outgoing calls, Celery messages,
PostgreSQL and Redis calls carry or record the trace (calls to other services through client_span)."""
import os
from contextlib import contextmanager, nullcontext
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from opentelemetry import context, propagate, trace

EXPORTERS = ("none", "console", "otlp")
SERVER_SPANS = "shop.platform.observability.server_span.ServerSpanMiddleware"
_enabled = False
_provider = None
_statement_spans = None  # db_span.SampledTasks while SQL statements get spans


def exporter_name() -> str:
    name = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower() or "none"
    if name not in EXPORTERS:
        raise ImproperlyConfigured(f"OTEL_TRACES_EXPORTER must be one of {', '.join(EXPORTERS)}, not {name!r}")
    return name


def _exporter(name: str):
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*


def tracer_provider(role: str, exporter):
    """An SDK provider named after the role (unless OTEL_SERVICE_NAME says otherwise), batching to `exporter`."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": f"shop-{role}"}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def instrument(provider) -> None:
    """Django (a server span per request, continuing `traceparent`: server_span.py), urllib3 (Consul), Celery,
    SQL statements (`psycopg`: db_span.py) and redis, but those named in OTEL_PYTHON_DISABLED_INSTRUMENTATIONS
    (comma-separated, as opentelemetry-instrument reads it)."""
    from django.conf import settings
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    from shop.platform.observability.db_span import SampledTasks

    global _enabled, _provider, _statement_spans
    _provider = provider
    disabled = {name.strip() for name in os.environ.get("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "").split(",")}
    if "django" not in disabled and SERVER_SPANS not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [SERVER_SPANS, *settings.MIDDLEWARE]  # first: the span covers every other
    instrumentors = {"urllib3": URLLib3Instrumentor, "celery": CeleryInstrumentor, "redis": RedisInstrumentor}
    for name, kind in instrumentors.items():
        instrumentor = kind()  # one per process (the class keeps a single instance)
        if name not in disabled and not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=provider)
    if "psycopg" not in disabled and _statement_spans is None:
        _statement_spans = SampledTasks()
        _statement_spans.connect()  # after the Celery instrumentation's receivers: its task span is current
    _enabled = True


def uninstrument_statements() -> None:
    """Undoes instrument()'s statement spans (tests instrument and undo per test)."""
    global _statement_spans
    if _statement_spans is not None:
        _statement_spans.disconnect()
        _statement_spans = None


def statements_traced() -> bool:
    return _statement_spans is not None


def tracer(name: str) -> trace.Tracer:
    """A tracer of the provider the process was instrumented with."""
    return _tracer_of(name, _provider)


@lru_cache(maxsize=64)
def _tracer_of(name: str, provider) -> trace.Tracer:
    return trace.get_tracer(name, tracer_provider=provider)  # makes a new Tracer each call: kept per name


def setup(role: str) -> None:
    """Called once per process when Django starts; does nothing unless an exporter is configured."""
    name = exporter_name()
    if name == "none":
        return
    provider = tracer_provider(role, _exporter(name))
    trace.set_tracer_provider(provider)
    instrument(provider)


def current_context() -> dict:
    """The active trace context as W3C headers, to store beside a message; empty when tracing is off."""
    carrier: dict = {}
    if _enabled:
        propagate.inject(carrier)
    return carrier


@contextmanager
def continued(carrier: dict):
    """Runs the block inside the trace context stored in `carrier` (if any)."""
    if not (_enabled and carrier):
        yield
        return
    token = context.attach(propagate.extract(carrier))
    try:
        yield
    finally:
        context.detach(token)


@contextmanager
def client_span(method: str, url: str):
    """A client span around one call to another service, when the trace is sampled; yields the headers that carry
    the trace (and whether it is sampled) to the callee, none when tracing is off."""
    if not _enabled:
        yield {}
        return
    sampled = trace.get_current_span().is_recording()  # if not, the decision is passed on and nothing recorded
    with tracer(__name__).start_as_current_span(method, kind=trace.SpanKind.CLIENT, attributes={
            "http.request.method": method, "url.full": url}) if sampled else nullcontext():
        carrier: dict = {}
        propagate.inject(carrier)
        yield carrier
