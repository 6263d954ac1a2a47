from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "shop.platform"
    label = "platform"

    def ready(self):
        from shop.celery import app

        app.autodiscover_tasks(force=True)  # register every installed app's tasks in this process
        from django.conf import settings

        from shop.platform.observability import telemetry
        from shop.platform.messaging.outbox import OutboxBacklog
        from shop.platform.messaging.retried import DeadLetterCount
        from shop.platform.observability.metrics import collect_at_scrape, connect_task_signals

        connect_task_signals()
        collect_at_scrape(OutboxBacklog())
        collect_at_scrape(DeadLetterCount())
        telemetry.setup(settings.SHOP_SERVICE)  # before the WSGI handler loads its middleware
