from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "shop.platform"
    label = "platform"

    def ready(self):
        from shop.celery import app

        app.autodiscover_tasks(force=True)  # register every installed app's tasks in this process
        from shop.platform.metrics import connect_task_signals

        connect_task_signals()
