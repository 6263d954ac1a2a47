"""Consumer tasks that retry with backoff until they succeed, then land in a dead-letter table."""
import logging

from celery import Task
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)


class DeadLetter(models.Model):
    """A task message that failed every attempt. Apps whose tasks may give up subclass it."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    error = models.TextField()
    attempts = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True


class RetriedTask(Task):
    """Any error retries with exponential backoff (1 s, 2 s, 4 s ... capped, jittered); the message is
    acknowledged only once the task succeeded or was handed to its retry. After max_retries the
    message is written to `dead_letter_model` and logged at ERROR."""

    abstract = True
    autoretry_for = (Exception,)
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    acks_late = True
    dead_letter_model: type[DeadLetter] | None = None

    @property
    def max_retries(self) -> int:
        return settings.SHOP_TASK_MAX_RETRIES

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if self.request.is_eager:  # run by the outbox relay in-process: the outbox keeps the message
            return
        dead_letter(self.dead_letter_model, task=self.name, kwargs=kwargs, error=exc,
                    attempts=self.request.retries + 1)


def dead_letter(model: type[DeadLetter], *, task: str, kwargs: dict, error: BaseException, attempts: int) -> None:
    logger.error("dead letter: %s %s gave up after %d attempt(s): %r", task, kwargs, attempts, error)
    try:
        model.objects.create(task=task, kwargs=kwargs, error=repr(error)[:2000], attempts=attempts)
    except Exception:  # the log line above is then the only record; the reconciler still repairs stock
        logger.exception("dead letter: could not record %s %s", task, kwargs)


class DeadLetterCount:
    """Rows in each dead-letter table of this process's apps, read from the database at scrape time."""

    def collect(self):
        rows = GaugeMetricFamily("shop_dead_letters", "Task messages that failed every attempt.", labels=["table"])
        for model in apps.get_models():
            if not issubclass(model, DeadLetter):
                continue
            try:
                rows.add_metric([model._meta.db_table], model.objects.count())
            except Exception:  # a scrape must answer even when the database does not
                logger.warning("metrics: cannot count the dead letters of %s", model._meta.label, exc_info=True)
        yield rows
