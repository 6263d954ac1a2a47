"""Stock tasks retry what failed and dead-letter what never succeeds, visibly."""
import logging

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from shop.inventory import services, tasks
from shop.celery import app
from shop.inventory.models import StockDeadLetter
from tests.factories import stock_of

pytestmark = pytest.mark.django_db(databases="__all__")
CUSTOMER = 1  # the user id reservations are made for


@pytest.fixture
def reserved():
    """Order 1 holds 3 of product 1's 10 units."""
    services.stock_add(product_id=1, quantity=10)
    services.stock_reserve(user_id=CUSTOMER, order_id=1, lines=[(1, 3)])


def test_a_database_error_is_retried_until_the_commit_lands(reserved, monkeypatch):
    real, failures = services.stock_commit, []

    def flaky(*, order_id):
        if len(failures) < 2:
            failures.append(order_id)
            raise OperationalError("terminating connection due to administrator command")
        return real(order_id=order_id)

    monkeypatch.setattr(services, "stock_commit", flaky)
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)  # so apply() runs the retries, as a worker would
    result = tasks.stock_commit.apply(kwargs={"order_id": 1})

    assert result.successful() and failures == [1, 1]
    assert stock_of(1) == (7, 0)


@pytest.mark.django_db(transaction=True, databases="__all__")  # /health/ reads from another thread
def test_a_task_that_never_succeeds_is_dead_lettered_logged_and_counted(caplog, settings):
    error = OperationalError("the database is gone")
    tasks.stock_release.push_request(is_eager=False, retries=settings.SHOP_TASK_MAX_RETRIES)
    try:
        with caplog.at_level(logging.ERROR):
            tasks.stock_release.on_failure(error, "task-id", (), {"order_id": 9}, None)
    finally:
        tasks.stock_release.pop_request()

    letter = StockDeadLetter.objects.get()
    assert (letter.task, letter.kwargs, letter.attempts) == ("inventory.stock_release", {"order_id": 9},
                                                             settings.SHOP_TASK_MAX_RETRIES + 1)
    assert "the database is gone" in letter.error
    assert "dead letter: inventory.stock_release" in caplog.text
    settings.SHOP_METRICS_TOKEN = token = "operators-token-of-the-test-0123456789"
    health = APIClient().get("/health/?format=json", headers={"Authorization": f"Bearer {token}"}).json()
    assert health["DeadLetters(table='inventory_stockdeadletter', count=1)"] == "OK"


def test_an_in_process_failure_is_left_to_the_outbox_not_dead_lettered(monkeypatch):
    def locked(*, order_id):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "stock_release", locked)
    with pytest.raises(Exception, match="database is locked"):  # the outbox relay sees it and keeps the row
        tasks.stock_release.apply(kwargs={"order_id": 1}, throw=True)
    assert not StockDeadLetter.objects.exists()
