"""/metrics in process: requests per route and status, breaker states, outbox backlog, task outcomes,
and the optional bearer token."""
import json
import socket
from datetime import timedelta
from types import SimpleNamespace
from pathlib import Path

import pybreaker
import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.mmap_dict import MmapedDict

from shop.inventory.models import StockDeadLetter
from shop.orders.models import Order, OrderOutbox
from shop.platform.observability import metrics
from shop.platform.remote.breaker import breaker_for
from tests.ops.metrics_text import value

pytestmark = pytest.mark.django_db(databases="__all__")


def scrape(client=None, **headers) -> str:
    response = (client or Client()).get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_requests_are_counted_per_route_pattern_and_status():
    client = Client()
    before = scrape(client)
    client.get("/products")
    client.get("/products/987654")
    client.get("/no-such-page")
    after = scrape(client)
    for route, status in (("/products", "200"), ("/products/<id:product_id>", "404"), ("unmatched", "404")):
        labels = {"route": route, "method": "GET", "status": status}
        assert value(after, "shop_http_requests_total", **labels) == value(before, "shop_http_requests_total", **labels) + 1
    assert value(after, "shop_http_request_duration_seconds_count", route="/products", method="GET", status="200") >= 1


def test_breaker_state_per_upstream():
    breaker = breaker_for("metrics-test-upstream")
    breaker.open()
    assert value(scrape(), "shop_breaker_state", upstream="metrics-test-upstream") == 2
    breaker.close()
    assert value(scrape(), "shop_breaker_state", upstream="metrics-test-upstream") == 0
    assert pybreaker.STATE_CLOSED == breaker.current_state


def test_outbox_backlog_counts_unsent_messages_and_the_oldest_age():
    OrderOutbox.objects.create(task="inventory.stock_release", kwargs={"order_id": 1},
                               created_at=timezone.now() - timedelta(minutes=5))
    OrderOutbox.objects.create(task="inventory.stock_release", kwargs={"order_id": 2}, sent_at=timezone.now())
    text = scrape()
    assert value(text, "shop_outbox_unsent_messages", outbox="orders.OrderOutbox") == 1
    assert 300 <= value(text, "shop_outbox_oldest_unsent_age_seconds", outbox="orders.OrderOutbox") < 360


def test_a_metric_file_still_being_created_does_not_fail_the_scrape(settings):
    """A process creates its metric file empty and sizes it a moment later; a scrape in between answers."""
    being_created = Path(settings.SHOP_METRICS_DIR) / "counter_999999999.db"
    being_created.touch()
    try:
        assert value(scrape(), "shop_outbox_unsent_messages", outbox="orders.OrderOutbox") == 0
    finally:
        being_created.unlink()


def _counter_key(task: str) -> str:
    return json.dumps(["shop_celery_tasks", "shop_celery_tasks_total", {"outcome": "success", "task": task}, None])


def test_a_metric_file_two_processes_wrote_does_not_fail_the_scrape(settings):
    """The worker /metrics 500 (issue 21): two processes of two pid namespaces with the same pid, on one
    volume, write one file and corrupt it; the scrape skips that file and answers with the rest."""
    shared = Path(settings.SHOP_METRICS_DIR) / "counter_999999998.db"
    one, other = MmapedDict(str(shared)), MmapedDict(str(shared))  # each keeps its own idea of the used length
    try:
        one.write_value(_counter_key("orders.recover_payments_after_a_long_while"), 1.0, 0)
        other.write_value(_counter_key("orders.x"), 1.0, 0)  # over the start of the first one's entry
        other.write_value(_counter_key("inventory.stock_release"), 1.0, 0)
        one.write_value(_counter_key("orders.y"), 1.0, 0)
        with pytest.raises(RuntimeError, match="corrupted"):
            list(MmapedDict.read_all_values_from_file(str(shared)))  # what failed the whole scrape
        text = scrape()
        assert value(text, "shop_outbox_unsent_messages", outbox="orders.OrderOutbox") == 0
        assert value(text, "shop_metrics_unreadable_files_total") >= 1
    finally:
        one.close()
        other.close()
        shared.unlink()


def test_a_metric_file_removed_while_the_scrape_reads_does_not_fail_it(settings, monkeypatch):
    """A dead process's file removed between the collector's reading and its merging."""
    vanishing = Path(settings.SHOP_METRICS_DIR) / "counter_999999997.db"
    writer = MmapedDict(str(vanishing))
    writer.write_value(_counter_key("inventory.stock_commit"), 1.0, 0)
    writer.close()
    readable = metrics._readable

    def read_then_remove(path: Path) -> bool:
        answer = readable(path)
        if path == vanishing:
            path.unlink()
        return answer

    monkeypatch.setattr(metrics, "_readable", read_then_remove)
    assert value(scrape(), "shop_outbox_unsent_messages", outbox="orders.OrderOutbox") == 0
    assert not vanishing.exists()


def test_a_dead_workers_live_gauge_is_dropped_at_scrape(settings):
    """A web worker the server replaced left its breaker state (a livemax gauge): the scrape removes that file, so
    a dead worker's open circuit is not reported, and keeps counters (a dead worker's requests still count)."""
    directory, dead = Path(settings.SHOP_METRICS_DIR), 999999996  # above the kernel's pid_max: never alive
    gauge = MmapedDict(str(directory / f"gauge_livemax_{dead}.db"))
    counter = MmapedDict(str(directory / f"counter_{dead}.db"))
    gauge.write_value(json.dumps(["shop_breaker_state", "shop_breaker_state", {"upstream": "gone-upstream"}, None]),
                      2.0, 0)
    counter.write_value(_counter_key("orders.from_a_dead_worker"), 1.0, 0)
    gauge.close()
    counter.close()
    try:
        text = scrape()
        assert "gone-upstream" not in text and not (directory / f"gauge_livemax_{dead}.db").exists()
        assert value(text, "shop_celery_tasks_total", task="orders.from_a_dead_worker", outcome="success") == 1
    finally:
        (directory / f"counter_{dead}.db").unlink()


def test_each_host_has_its_own_metrics_directory(settings):
    assert Path(settings.SHOP_METRICS_DIR).name == socket.gethostname()


def test_task_outcomes_are_counted():
    from shop.celery import app

    before = value(scrape(), "shop_celery_tasks_total", task="orders.expire_pending", outcome="success")
    app.tasks["orders.expire_pending"].apply(throw=True)
    after = value(scrape(), "shop_celery_tasks_total", task="orders.expire_pending", outcome="success")
    assert after == before + 1


def test_a_token_protects_the_scrape(settings):
    settings.SHOP_METRICS_TOKEN = "scrape-secret"
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert "shop_http_requests_total" in scrape(Authorization="Bearer scrape-secret")



def test_a_workers_progress_is_counted_per_queue():
    """The consumer-progress counter the stalled-consumer alert reads (deploy/k8s/base/prometheus-rules.yaml)."""
    before = value(scrape(), "shop_celery_queue_tasks_total", queue="inventory")
    finished = SimpleNamespace(request=SimpleNamespace(is_eager=False, delivery_info={"routing_key": "inventory"}))
    metrics.count_queue_progress(task=finished)
    assert value(scrape(), "shop_celery_queue_tasks_total", queue="inventory") == before + 1


def test_dead_letters_and_orders_in_flight_are_read_at_scrape_time():
    StockDeadLetter.objects.create(task="inventory.stock_commit", kwargs={"order_id": 1}, error="boom", attempts=10)
    Order.objects.create(user_id=1, total=10, status="paying")
    stale = Order.objects.create(user_id=1, total=10, status="placing")
    Order.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(minutes=20))
    text = scrape()
    assert value(text, "shop_dead_letters", table="inventory_stockdeadletter") == 1
    assert value(text, "shop_orders_in_flight", status="paying") == 1
    assert value(text, "shop_orders_in_flight", status="placing") == 1
    assert 1200 <= value(text, "shop_orders_in_flight_oldest_age_seconds", status="placing") < 1300
