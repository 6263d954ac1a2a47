"""Runs the Celery beat schedule in a daemon thread when tasks are eager (monolith, no broker)."""
import logging
import threading
import time

logger = logging.getLogger(__name__)


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
