"""The Celery app: configured from Django settings (CELERY_*), one queue per app. Its workers' consumer
loops touch a heartbeat file, which their liveness probe reads (shop/platform/messaging/heartbeat.py)."""
import os

from celery import Celery

from shop.platform.messaging import heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
heartbeat.install(app)
