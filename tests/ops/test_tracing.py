"""Tracing in process, with OpenTelemetry's in-memory exporter: an incoming traceparent is continued, the
server span is the one opentelemetry-instrumentation-django would make and the statement spans the ones
opentelemetry-instrumentation-psycopg would, an unsampled request records nothing and passes its decision on,
and an outbox message carries its writer's trace into the task, even when relayed later by beat."""
from decimal import Decimal
from wsgiref.headers import Headers

import pytest
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shop.gateway.proxy import ProxyView
from shop.inventory.client import STOCK_RELEASE_TASK
from shop.orders.models import Order, OrderOutbox
from shop.platform.messaging import outbox
from shop.platform.observability import telemetry
from shop.platform.remote import http
from shop.platform.remote.breaker import breaker_for
from shop.platform.remote.connections import Answer
from shop.platform.remote.discovery import get_discovery
from shop.platform.remote.http import send

pytestmark = pytest.mark.django_db(databases="__all__")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
INSTRUMENTORS = (URLLib3Instrumentor, CeleryInstrumentor, RedisInstrumentor)


def provider_with(exporter, sampler=None) -> TracerProvider:
    provider = TracerProvider(**({"sampler": sampler} if sampler else {}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def instrumented(monkeypatch, settings):
    """instrumented(provider) instruments this process for one test; all is undone after it (the
    middleware list by pytest-django's `settings`)."""
    settings.MIDDLEWARE = list(settings.MIDDLEWARE)
    yield telemetry.instrument
    for instrumentor in INSTRUMENTORS:
        instrumentor().uninstrument()
    telemetry.uninstrument_statements()
    monkeypatch.setattr(telemetry, "_enabled", False)
    monkeypatch.setattr(telemetry, "_provider", None)


@pytest.fixture
def spans(instrumented):
    """The in-memory exporter of a process instrumented for one test, sampling every trace."""
    exporter = InMemorySpanExporter()
    instrumented(provider_with(exporter))
    return exporter


def trace_ids(exporter) -> set[str]:
    return {format(span.context.trace_id, "032x") for span in exporter.get_finished_spans()}


def test_an_incoming_traceparent_is_continued(spans):
    response = Client().get("/products", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200
    (server_span,) = [s for s in spans.get_finished_spans() if s.name.startswith("GET")]
    assert format(server_span.context.trace_id, "032x") == TRACE_ID
    assert format(server_span.parent.span_id, "016x") == "00f067aa0ba902b7"


def test_the_outbox_carries_the_writers_trace_into_the_task(spans):
    with telemetry.continued({"traceparent": TRACEPARENT}):  # inside a request of that trace
        with transaction.atomic(using="orders"):
            order = Order.objects.create(user_id=1, total=Decimal("1.00"), status=Order.Status.CANCELLED)
            outbox.enqueue(OrderOutbox, task=STOCK_RELEASE_TASK, order_id=order.id)
    message = OrderOutbox.objects.get()
    assert message.trace_context["traceparent"].split("-")[1] == TRACE_ID
    spans.clear()
    assert outbox.relay(OrderOutbox, ids=[message.pk]) == 1  # later, outside any request (beat's re-relay)
    (task_span,) = [s for s in spans.get_finished_spans() if STOCK_RELEASE_TASK in s.name]
    assert format(task_span.context.trace_id, "032x") == TRACE_ID
    assert [s for s in spans.get_finished_spans()  # the task's SQL statements, in its span
            if "db.statement" in s.attributes and s.parent.span_id == task_span.context.span_id]


def test_the_instrumentations_named_in_otel_python_disabled_instrumentations_are_left_out(monkeypatch, request):
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "psycopg, redis")
    exporter = request.getfixturevalue("spans")
    assert not telemetry.statements_traced()
    assert not RedisInstrumentor().is_instrumented_by_opentelemetry
    assert Client().get("/products").status_code == 200
    assert [s.name for s in exporter.get_finished_spans()] == ["GET products"]  # the server span


@pytest.mark.parametrize("path", ["/products", "/products/1", "/no-such-route"])
def test_the_server_span_is_the_one_the_django_instrumentation_makes(instrumented, monkeypatch, path):
    """Name, kind, parent and route as opentelemetry-instrumentation-django's middleware gives them."""
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "psycopg,redis,celery,urllib3")  # server spans only
    ours, theirs = InMemorySpanExporter(), InMemorySpanExporter()
    DjangoInstrumentor().instrument(tracer_provider=provider_with(theirs))
    try:
        their_status = Client().get(path, headers={"traceparent": TRACEPARENT}).status_code
    finally:
        DjangoInstrumentor().uninstrument()
    instrumented(provider_with(ours))
    our_status = Client().get(path, headers={"traceparent": TRACEPARENT}).status_code
    assert our_status == their_status
    (mine,), (library,) = ours.get_finished_spans(), theirs.get_finished_spans()
    assert (mine.name, mine.kind, mine.context.trace_id, mine.parent.span_id) == \
        (library.name, library.kind, library.context.trace_id, library.parent.span_id)
    assert mine.attributes.get("http.route") == library.attributes.get("http.route")
    assert mine.attributes["http.response.status_code"] == library.attributes["http.status_code"] == our_status


def test_an_unsampled_request_records_nothing_and_passes_its_decision_on(instrumented):
    """One trace in ten: a request whose trace is not sampled makes no span, and the calls it makes carry
    the same trace, marked "not sampled", so the services behind it decide alike."""
    exporter = InMemorySpanExporter()
    instrumented(provider_with(exporter, ParentBased(TraceIdRatioBased(0.1))))
    unsampled = f"00-{TRACE_ID}-00f067aa0ba902b7-00"
    seen = {}

    def call_onwards(request):
        with telemetry.client_span("GET", "http://inventory/internal") as headers:
            seen.update(headers)
        return HttpResponse()

    from shop.platform.observability.server_span import ServerSpanMiddleware

    request = RequestFactory().get("/products", headers={"traceparent": unsampled})
    assert ServerSpanMiddleware(call_onwards)(request).status_code == 200
    assert exporter.get_finished_spans() == ()
    assert seen["traceparent"].split("-")[1] == TRACE_ID and seen["traceparent"].endswith("-00")


def test_the_gateways_forward_is_one_span_and_a_service_call_two(spans, monkeypatch, settings):
    """A forward carries the gateway's server span's context and records no client span (one span per hop, as
    a proxy's OpenTelemetry module makes); a service's call to another is a client span, the callee's parent."""
    settings.SHOP_REDIS_URL = ""
    settings.SHOP_SERVICE_URLS = {**settings.SHOP_SERVICE_URLS, "catalog": "http://catalog"}
    breaker_for.cache_clear()
    get_discovery.cache_clear()
    sent = []

    def exchange(base_url, method, path, *, headers, **timeouts):
        sent.append(headers)
        return Answer(200, Headers([("Content-Type", "application/json")]), b"{}")

    def gateway_then_service_call(request):
        ProxyView(upstream="catalog").forward(request)
        send("catalog", "GET", "/internal/products")
        return HttpResponse()

    monkeypatch.setattr(http, "exchange", exchange)
    from shop.platform.observability.server_span import ServerSpanMiddleware

    request = RequestFactory().get("/products", headers={"traceparent": TRACEPARENT})
    assert ServerSpanMiddleware(gateway_then_service_call)(request).status_code == 200
    breaker_for.cache_clear()
    get_discovery.cache_clear()
    (server,) = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER]
    (client,) = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CLIENT]
    forwarded, called = (headers["traceparent"].split("-")[2] for headers in sent)
    assert (forwarded, called) == (f"{server.context.span_id:016x}", f"{client.context.span_id:016x}")


def statement_spans(exporter) -> list[tuple]:
    return [(s.name, s.kind, dict(s.attributes)) for s in exporter.get_finished_spans() if "db.statement" in s.attributes]


def test_a_sampled_request_gets_a_span_per_statement_and_an_unsampled_one_none(instrumented):
    exporter = InMemorySpanExporter()
    instrumented(provider_with(exporter, ParentBased(TraceIdRatioBased(0.1))))
    unsampled = f"00-{TRACE_ID}-00f067aa0ba902b7-00"
    assert Client().get("/products", headers={"traceparent": unsampled}).status_code == 200
    assert exporter.get_finished_spans() == ()
    assert Client().get("/products", headers={"traceparent": TRACEPARENT}).status_code == 200
    (server,) = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER]
    statements = [s for s in exporter.get_finished_spans() if "db.statement" in s.attributes]
    assert statements and all(s.parent.span_id == server.context.span_id and s.kind == SpanKind.CLIENT
                              and s.name == s.attributes["db.statement"].split()[0] for s in statements)


@pytest.mark.skipif(connections["catalog"].vendor != "postgresql",
                    reason="the library instruments psycopg: make test-services")
def test_statement_spans_are_the_ones_the_psycopg_instrumentation_makes(instrumented, monkeypatch):
    """Name, kind and the attributes the library sets from the statement, for every statement of a request."""
    theirs, ours = InMemorySpanExporter(), InMemorySpanExporter()
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "psycopg")
    instrumented(provider_with(theirs))
    catalog = connections["catalog"]
    catalog.ensure_connection()  # open already (the test's transaction): the library instruments it as it is
    PsycopgInstrumentor.instrument_connection(catalog.connection, tracer_provider=provider_with(theirs))
    try:
        assert Client().get("/products/1", headers={"traceparent": TRACEPARENT}).status_code in (200, 404)
    finally:
        PsycopgInstrumentor.uninstrument_connection(catalog.connection)
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "")
    instrumented(provider_with(ours))
    assert Client().get("/products/1", headers={"traceparent": TRACEPARENT}).status_code in (200, 404)
    library = [(name, kind, a["db.system"], a["db.statement"]) for name, kind, a in statement_spans(theirs)
               if a["db.statement"] != "SELECT 1"]  # Django's connection health check, below Django's cursor
    mine = statement_spans(ours)
    assert [(name, kind, a["db.system"], a["db.statement"]) for name, kind, a in mine] == library
    # db.name: the library takes it from connect()'s dbname, which Django passes from settings (instrument_connection,
    # used here on the test's open connection, cannot know it)
    assert {a["db.name"] for *_, a in mine} == {catalog.settings_dict["NAME"]}


def test_tracing_is_off_by_default():
    assert telemetry.exporter_name() == "none"
    assert telemetry.current_context() == {}
