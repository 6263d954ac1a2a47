"""gunicorn settings for every role: `SHOP_SERVICE=<role> gunicorn shop.wsgi` (this file is read by default)."""
import os

from shop.platform.observability.logs import gunicorn_logging_config
from shop.platform.topology import current_role, default_port

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")  # the hooks below read settings in the master

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{default_port(current_role())}")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 75  # callers (the gateway, other services) reuse pooled connections
# Spreading connections over the workers. A gthread worker serves every connection it accepted until the
# client leaves, and with one shared listening socket one worker can accept a whole burst while the other
# core idles. So each worker listens on a socket of its own (SO_REUSEPORT: the kernel spreads new
# connections by their addresses' hash), and a kept-alive connection is closed after KEEPALIVE_REQUESTS
# answers (nginx's keepalive_requests; 0: never), so that long-lived pools, such as the gateway's, are
# spread again as they reconnect. A connection still waiting in a stopping worker's queue is reset.
reuse_port = True
KEEPALIVE_REQUESTS = int(os.environ.get("GUNICORN_KEEPALIVE_REQUESTS", "100"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
# SHOP_LOG_FORMAT=json: gunicorn's own lines are JSON too, with the app's formatter (shop/platform/observability/logs.py).
logconfig_dict = gunicorn_logging_config(accesslog)
# Forwarded headers, set explicitly: gunicorn believes none from any peer (no scheme header, no
# SCRIPT_NAME/PATH_INFO header). Django alone decides, from SHOP_TRUSTED_PROXIES (settings.py:
# SECURE_PROXY_SSL_HEADER, NUM_PROXIES, USE_X_FORWARDED_HOST), so both never disagree.
forwarded_allow_ips = ""
secure_scheme_headers = {}


def _discovery():
    """The discovery adapter; sets Django up first, since the master has not loaded the WSGI app."""
    import django

    django.setup()
    from shop.platform.remote.discovery import get_discovery

    return get_discovery()


def on_starting(server):
    """Drops the metric files of a previous run's processes (multiprocess mode)."""
    _discovery()  # sets Django up, which chooses the metrics directory
    from shop.platform.observability.metrics import remove_dead_process_files

    remove_dead_process_files(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def pre_request(worker, req):
    if KEEPALIVE_REQUESTS and req.req_number % KEEPALIVE_REQUESTS == 0:
        req.must_close = True  # answered with "Connection: close"


def when_ready(server):
    """Registers the service with discovery (a no-op unless SHOP_DISCOVERY=consul)."""
    _discovery().register()


def on_exit(server):
    _discovery().deregister()
