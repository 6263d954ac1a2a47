"""Transactional outbox: a task message is saved with the state change and relayed after commit."""
import logging
from datetime import timedelta

from django.apps import apps
from django.db import models, router, transaction
from django.utils import timezone

from shop.platform import telemetry

logger = logging.getLogger(__name__)
RELAY_GRACE = timedelta(seconds=5)


class OutboxMessage(models.Model):
    """A Celery task to send once the transaction that wrote it commits. Apps subclass it."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, db_index=True)
    trace_context = models.JSONField(default=dict)  # W3C traceparent of the request that wrote it

    class Meta:
        abstract = True


def enqueue(outbox_model, *, task: str, **kwargs) -> None:
    """Call inside the transaction that changes the state the message announces."""
    alias = router.db_for_write(outbox_model)
    message = outbox_model.objects.using(alias).create(task=task, kwargs=kwargs,
                                                       trace_context=telemetry.current_context())
    transaction.on_commit(lambda: relay(outbox_model, ids=[message.pk]), using=alias)


def publish(task: str, kwargs: dict) -> None:
    from shop.celery import app

    if app.conf.task_always_eager:
        app.tasks[task].apply(kwargs=kwargs, throw=True)
    else:
        app.send_task(task, kwargs=kwargs, retry=False)  # a down broker costs one connect timeout


def relay(outbox_model, *, ids: list[int] | None = None) -> int:
    """Publishes unsent messages (the given ones, or all older than a grace period); at least once."""
    pending = outbox_model.objects.filter(sent_at__isnull=True).order_by("pk")
    pending = pending.filter(pk__in=ids) if ids else pending.filter(created_at__lt=timezone.now() - RELAY_GRACE)
    sent = 0
    for message in pending[:500]:
        try:
            with telemetry.continued(message.trace_context):  # the task joins the writer's trace
                publish(message.task, message.kwargs)
        except Exception:
            logger.exception("outbox: could not publish %s %s; will retry", message.task, message.pk)
            break
        outbox_model.objects.filter(pk=message.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def outbox_models() -> list:
    """The concrete outbox tables of the apps this process hosts."""
    return [model for model in apps.get_models() if issubclass(model, OutboxMessage)]
