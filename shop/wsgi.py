"""WSGI entry point (gunicorn shop.wsgi, runserver). Starts the in-process scheduler when there is no broker."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
application = get_wsgi_application()

from shop.platform.messaging.beat import start_inprocess_beat  # noqa: E402

start_inprocess_beat()
