"""WSGI entry point (shop.serve, runserver). Refuses to serve in production before `collectstatic`;
starts the in-process scheduler when there is no broker; in the gateway, reads take the short way
(shop/gateway/passthrough.py)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from shop.platform.config.static import require_collected_static  # noqa: E402
from shop.platform.messaging.beat import start_inprocess_beat  # noqa: E402

require_collected_static()

start_inprocess_beat()

if settings.SHOP_SERVICE == "gateway":
    from shop.gateway.passthrough import Passthrough

    application = Passthrough(application)  # reads to the services beneath Django's handler
