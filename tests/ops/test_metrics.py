"""/metrics in process: requests per route and status, breaker states, outbox backlog, task outcomes,
and the optional bearer token."""
from datetime import timedelta
from pathlib import Path

import pybreaker
import pytest
from django.test import Client
from django.utils import timezone

from shop.orders.models import OrderOutbox
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

