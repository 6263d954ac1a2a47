"""Each app declares its periodic tasks once (shop/<app>/schedule.py); Celery's routes and beat come from them."""
from django.conf import settings

from shop import app_tasks
from shop.celery import app
from shop.platform.topology import APPS


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_every_shop_task_is_named_for_its_app_and_routed_to_its_queue():
    shop_tasks = [name for name in app.tasks if not name.startswith("celery.")]
    assert shop_tasks
    for name in shop_tasks:
        owner = name.split(".")[0]
        assert owner in APPS, name
        assert queue_of(name) == settings.SHOP_NAMESPACE + owner


def test_every_beat_entry_runs_a_registered_task_of_the_app_that_declares_it():
    declared = {entry.name: (owner, entry) for owner in APPS for entry in app_tasks.periodic(owner)}
    assert set(settings.CELERY_BEAT_SCHEDULE) == set(declared) and declared
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        owner, _ = declared[name]
        assert entry["task"] in app.tasks and entry["task"].startswith(f"{owner}.")


def test_an_interval_is_read_from_its_variable_when_set():
    intervals = {"SHOP_RELAY_INTERVAL": 2.5}
    schedule = app_tasks.beat_schedule(lambda env, default: intervals.get(env, default), "ns-")
    assert schedule["orders-relay-outbox"] == {"task": "orders.relay_outbox", "schedule": 2.5,
                                               "options": {"expires": 2.5}}
    assert schedule["orders-purge-outbox"]["schedule"] == 3600.0
    assert schedule["orders-expire-pending"]["options"] == {"expires": 30.0, "queue": "ns-orders.backstop"}


def test_a_process_consumes_its_apps_queues_and_routes_to_every_app():
    assert app_tasks.queues(("orders", "inventory"), "ns-") == ["ns-orders", "ns-inventory"]
    assert app_tasks.queues((), "ns-") == ["ns-shop"]
    assert app_tasks.queues(("users", "orders", "inventory"), "ns-", "backstop") == ["ns-orders.backstop",
                                                                                   "ns-inventory.backstop"]
    assert set(app_tasks.task_routes("ns-")) == {f"{owner}.*" for owner in APPS}
