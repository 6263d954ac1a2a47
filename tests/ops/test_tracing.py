"""Tracing in process, with OpenTelemetry's in-memory exporter: an incoming traceparent is continued,
and an outbox message carries its writer's trace into the task, even when relayed later by beat."""
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shop.inventory.client import STOCK_RELEASE_TASK
from shop.orders.models import Order, OrderOutbox
from shop.platform.messaging import outbox
from shop.platform.observability import telemetry

pytestmark = pytest.mark.django_db(databases="__all__")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
INSTRUMENTORS = (DjangoInstrumentor, URLLib3Instrumentor, CeleryInstrumentor, PsycopgInstrumentor, RedisInstrumentor)


@pytest.fixture
def spans(monkeypatch):
    """Instruments this process for one test; yields the in-memory exporter, then uninstruments."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry.instrument(provider)
    yield exporter
    for instrumentor in INSTRUMENTORS:
        instrumentor().uninstrument()
    monkeypatch.setattr(telemetry, "_enabled", False)


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


def test_the_instrumentations_named_in_otel_python_disabled_instrumentations_are_left_out(monkeypatch, request):
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "psycopg, redis")
    exporter = request.getfixturevalue("spans")
    assert not PsycopgInstrumentor().is_instrumented_by_opentelemetry
    assert not RedisInstrumentor().is_instrumented_by_opentelemetry
    assert Client().get("/products").status_code == 200
    assert [s.name for s in exporter.get_finished_spans()] == ["GET products"]  # Django's server span


def test_tracing_is_off_by_default():
    assert telemetry.exporter_name() == "none"
    assert telemetry.current_context() == {}
