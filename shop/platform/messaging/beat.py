"""The beat: `LeasedScheduler`, celery beat's scheduler that sends due tasks only while it holds the shop's beat
lease (so two topologies running at once schedule each task once); and, when tasks are eager (monolith, no
broker), the schedule run in a daemon thread."""
import logging
import threading
import time

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

from shop.platform.messaging.lease import Lease

logger = logging.getLogger(__name__)


class LeasedScheduler(PersistentScheduler):
    """Sends due tasks only while it holds the lease `<SHOP_NAMESPACE>shop:beat` in SHOP_REDIS_URL; a standby beat
    checks every third of the lease's time to live and takes over when the holder stops or stops renewing.
    Without Redis (one machine, dev) there is no second beat to keep out and it schedules as celery's own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lease = None
        if settings.SHOP_REDIS_URL:
            client = redis.Redis.from_url(settings.SHOP_REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
            self.lease = Lease(client, f"{settings.SHOP_NAMESPACE}shop:beat", ttl=settings.SHOP_BEAT_LEASE_SECONDS)

    def tick(self, *args, **kwargs):
        if self.lease is None:
            return super().tick(*args, **kwargs)
        renew_in = self.lease.ttl / 3
        if not self.lease.hold():
            return renew_in
        return min(super().tick(*args, **kwargs), renew_in)

    def close(self):
        super().close()
        if self.lease is not None:
            self.lease.release()


def _run(app, schedule: dict) -> None:
    due = {name: time.monotonic() + entry["schedule"] for name, entry in schedule.items()}
    while True:
        time.sleep(1)
        for name, entry in schedule.items():
            if time.monotonic() >= due[name]:
                due[name] = time.monotonic() + entry["schedule"]
                try:
                    app.tasks[entry["task"]].apply(throw=True)
                except Exception:
                    logger.exception("scheduled task %s failed", entry["task"])


def start_inprocess_beat() -> threading.Thread | None:
    from shop.celery import app

    if not app.conf.task_always_eager or not app.conf.beat_schedule:
        return None
    thread = threading.Thread(target=_run, args=(app, dict(app.conf.beat_schedule)), name="shop-beat", daemon=True)
    thread.start()
    return thread
