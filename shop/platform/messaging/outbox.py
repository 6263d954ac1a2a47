"""Transactional outbox: a task message is saved with the state change and relayed after commit,
off the request's thread, so a request never waits on the broker."""
import logging
import os
import queue
import threading
from datetime import timedelta

from django.apps import apps
from django.db import connections, models, router, transaction
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from shop.platform.observability import telemetry

logger = logging.getLogger(__name__)
RELAY_GRACE = timedelta(seconds=5)
CONFIRM_TIMEOUT = 5.0  # seconds the broker has to confirm a publish before the row stays unsent


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
    transaction.on_commit(lambda: relay_soon(outbox_model, message.pk), using=alias)


def publish(task: str, kwargs: dict) -> None:
    """Returns once the broker has confirmed the message (RabbitMQ publisher confirms, see settings)."""
    from shop.celery import app

    if app.conf.task_always_eager:
        app.tasks[task].apply(kwargs=kwargs, throw=True)
    else:
        app.send_task(task, kwargs=kwargs, retry=False, confirm_timeout=CONFIRM_TIMEOUT)


def relay(outbox_model, *, ids: list[int] | None = None) -> int:
    """Publishes unsent messages (the given ones, or all older than a grace period); at least once.
    A row is marked sent only after its publish returned, that is after the broker confirmed it."""
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


def purge_sent(outbox_model, *, retention_seconds: int) -> int:
    """Deletes messages the broker confirmed more than `retention_seconds` ago."""
    cutoff = timezone.now() - timedelta(seconds=retention_seconds)
    deleted, _ = outbox_model.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def relay_soon(outbox_model, message_id: int) -> None:
    """Relays a committed message: in-process tasks at once, broker messages on this process's courier
    thread. A message the courier cannot publish stays unsent for the periodic relay."""
    from shop.celery import app

    if app.conf.task_always_eager:
        relay(outbox_model, ids=[message_id])
    else:
        _courier().put((outbox_model, message_id))


_courier_lock = threading.Lock()
_courier_queue: tuple[int, queue.SimpleQueue] | None = None  # (pid, queue): a forked child starts its own


def _courier() -> queue.SimpleQueue:
    global _courier_queue
    with _courier_lock:
        if _courier_queue is None or _courier_queue[0] != os.getpid():
            _courier_queue = (os.getpid(), queue.SimpleQueue())
            threading.Thread(target=_deliver, args=(_courier_queue[1],), name="outbox-courier", daemon=True).start()
        return _courier_queue[1]


def _deliver(messages: queue.SimpleQueue) -> None:
    while True:
        batch = [messages.get()]
        while not messages.empty() and len(batch) < 500:
            batch.append(messages.get())
        for outbox_model in {model for model, _ in batch}:
            try:
                relay(outbox_model, ids=[pk for model, pk in batch if model is outbox_model])
            except Exception:
                logger.exception("outbox: courier could not relay; the periodic relay will")
        if messages.empty():  # idle: hold no database connection (nobody else could close this thread's)
            connections.close_all()


def outbox_models() -> list:
    """The concrete outbox tables of the apps this process hosts."""
    return [model for model in apps.get_models() if issubclass(model, OutboxMessage)]


class OutboxBacklog:
    """Unsent outbox messages and the oldest one's age, read from the database at scrape time."""

    def collect(self):
        unsent = GaugeMetricFamily("shop_outbox_unsent_messages", "Outbox messages not yet relayed.", labels=["outbox"])
        age = GaugeMetricFamily("shop_outbox_oldest_unsent_age_seconds", "Age of the oldest unrelayed message.",
                                labels=["outbox"])
        for model in outbox_models():
            try:
                pending = model.objects.filter(sent_at__isnull=True)
                oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
                count = pending.count()
            except Exception:  # a scrape must answer even when the database does not
                logger.warning("metrics: cannot read the outbox %s", model._meta.label, exc_info=True)
                continue
            unsent.add_metric([model._meta.label], count)
            age.add_metric([model._meta.label], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield unsent
        yield age
