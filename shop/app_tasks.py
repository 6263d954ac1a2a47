"""Reads each app's task declarations (shop/<app>/schedule.py) into Celery's queues, routes and beat schedule.

Imports no Django model, so settings can read it before the apps load. Every task is named "<app>.<task>"
and runs on its app's queue."""
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec

from shop.platform.messaging.periodic import Periodic
from shop.platform.topology import APPS


WORKER_KINDS = ("app", "backstop")  # what a worker consumes: its apps' queues, or their backstop queues


def queues(hosted: tuple[str, ...], namespace: str, kind: str = "app") -> list[str]:
    """The queues a worker of this process consumes: its apps' own, or "shop" when it hosts none (the
    gateway); with kind "backstop", the backstop queues of its apps that declare backstops."""
    if kind == "backstop":
        return [backstop_queue(app, namespace) for app in hosted if any(entry.backstop for entry in periodic(app))]
    return [namespace + app for app in hosted or ("shop",)]


def backstop_queue(app: str, namespace: str) -> str:
    return f"{namespace}{app}.backstop"


def task_routes(namespace: str) -> dict[str, dict]:
    """Every app's tasks to its app's queue, hosted here or not: a process sends to the others' queues too."""
    return {f"{app}.*": {"queue": namespace + app} for app in APPS}


def periodic(app: str) -> tuple[Periodic, ...]:
    """The app's declared periodic tasks; none when it has no shop/<app>/schedule.py."""
    if find_spec(f"shop.{app}.schedule") is None:
        return ()
    return import_module(f"shop.{app}.schedule").PERIODIC


def beat_schedule(seconds: Callable[[str, float], float], namespace: str) -> dict[str, dict]:
    """The one beat's schedule, every app's periodic tasks; `seconds(env, default)` reads an interval. Each run
    expires within its period, and a backstop goes to its app's backstop queue."""
    schedule = {}
    for app in APPS:
        for entry in periodic(app):
            every = seconds(entry.env, entry.seconds) if entry.env else entry.seconds
            options = {"expires": every, **({"queue": backstop_queue(app, namespace)} if entry.backstop else {})}
            schedule[entry.name] = {"task": entry.task, "schedule": every, "options": options}
    return schedule
