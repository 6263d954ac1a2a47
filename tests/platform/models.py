"""Test models for the platform's abstract models (outbox, idempotency), in no app of the shop.

Their app label is not installed, so the router gives them the unused "default" alias; `tables` creates
their tables there for one test and drops them after. Tests using it are transactional: SQLite's schema
editor cannot run inside the transaction a non-transactional test is wrapped in."""
import pytest
from django.db import connections, models, router

from shop.platform.api.idempotency import IdempotencyRecord
from shop.platform.messaging.outbox import OutboxMessage


class Widget(models.Model):
    """A state change that announces itself through the outbox."""

    name = models.CharField(max_length=50)

    class Meta:
        app_label = "platform_tests"


class WidgetOutbox(OutboxMessage):
    class Meta:
        app_label = "platform_tests"


class WidgetIdempotencyRecord(IdempotencyRecord):
    class Meta(IdempotencyRecord.Meta):
        app_label = "platform_tests"


@pytest.fixture
def tables():
    """The test models' tables, for the duration of one test."""
    test_models = (Widget, WidgetOutbox, WidgetIdempotencyRecord)
    connection = connections[router.db_for_write(Widget)]
    with connection.schema_editor() as editor:
        for model in test_models:
            editor.create_model(model)
    yield
    with connection.schema_editor() as editor:
        for model in test_models:
            editor.delete_model(model)
