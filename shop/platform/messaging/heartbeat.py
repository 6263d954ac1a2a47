"""The consumer loop's heartbeat: a Celery consumer bootstep that touches a file every few seconds from
the worker's loop itself, so the file goes stale when the loop stops turning while the process lives
(the wedged consumer of issue 21). Its liveness probe reads it: shop/platform/messaging/liveness.py."""
import os
import time
from pathlib import Path

from celery import bootsteps, signals

HEARTBEAT_SECONDS = 5.0


def heartbeat_file() -> Path:
    from django.conf import settings

    return Path(settings.SHOP_WORKER_HEARTBEAT_FILE)


class LoopHeartbeat(bootsteps.StartStopStep):
    """A consumer bootstep. With an event loop (RabbitMQ, Redis) the loop's own timer touches the file;
    with the blocking loop of the other transports a timer thread asks the loop to touch it, so the
    touch still happens only when the loop turns."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c, **kwargs):
        from shop.platform.observability.metrics import collect_at_scrape  # not at import: shop.celery imports this

        super().__init__(c, **kwargs)
        self.path = heartbeat_file()
        self.timer_entry = None
        # The file holds the worker's pid, for a probe that must stop the worker itself (compose: liveness
        # --kill), and when it last received a task (liveness --progress-age). Written at the worker's start:
        # a worker that cannot connect is stale after the probe's limit.
        self.received = time.time()
        signals.task_received.connect(self.on_task_received, weak=False)
        self.beat()
        collect_at_scrape(HeartbeatAge(self.path))  # on the worker's /metrics, served by a thread of its own

    def on_task_received(self, **kwargs) -> None:  # in the consumer's own thread or process, whatever the pool
        self.received = time.time()

    def beat(self) -> None:
        """Its mtime is the heartbeat."""
        self.path.write_text(f"{os.getpid()} {self.received:.0f}")

    def register_with_event_loop(self, c, hub):
        """Called by asynloop each time it starts (after every reconnect); it cancels the entries it saw
        registered when the connection fails."""
        self.beat()
        hub.call_repeatedly(HEARTBEAT_SECONDS, self.beat)

    def start(self, c):
        if c.hub is None and self.timer_entry is None:
            self.beat()
            self.timer_entry = c.timer.call_repeatedly(HEARTBEAT_SECONDS, c.call_soon, (self.beat,))

    def shutdown(self, c):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None


class HeartbeatAge:
    """Seconds since the worker's consumer loop last beat, read at scrape time."""

    def __init__(self, path: Path):
        self.path = path

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily  # not at import: settings set its multiprocess mode

        age = GaugeMetricFamily("shop_worker_heartbeat_age_seconds",
                                "Seconds since this worker's consumer loop last touched its heartbeat file.")
        try:
            age.add_metric([], time.time() - self.path.stat().st_mtime)
        except FileNotFoundError:
            pass
        yield age


def install(app) -> None:
    app.steps["consumer"].add(LoopHeartbeat)
