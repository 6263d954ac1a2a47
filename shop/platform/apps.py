from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PlatformConfig(AppConfig):
    name = "shop.platform"
    label = "platform"

    def ready(self):
        from shop.celery import app

        app.autodiscover_tasks(force=True)  # register every installed app's tasks in this process
        from django.conf import settings

        from shop.platform.observability import telemetry
        from shop.platform.messaging.outbox import OutboxBacklog
        from shop.platform.observability.metrics import collect_at_scrape, connect_task_signals

        connect_task_signals()
        collect_at_scrape(OutboxBacklog())
        telemetry.setup(settings.SHOP_SERVICE)  # before the WSGI handler loads its middleware


class ShopAdminConfig(admin_apps.AdminConfig):
    """Django's admin (the monolith's back office) with its login throttled as every other door."""

    default = False  # named in INSTALLED_APPS; "shop.platform" stays PlatformConfig
    default_site = "shop.platform.api.admin.ThrottledAdminSite"
