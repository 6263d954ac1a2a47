"""The web server of every role: `SHOP_SERVICE=<role> python -m shop.serve` runs granian (WSGI) on the role's port.

Django and every URLconf are loaded once, in the main process, and frozen out of the garbage collector's
reach before the workers fork, so the workers share those pages. Each worker then imports shop.wsgi (the
static-files check, the in-process beat) as it starts. SIGTERM stops the listening socket and lets requests in
flight finish, for up to SHOP_WEB_GRACE seconds. Settings: SHOP_WEB_BIND (default 0.0.0.0:<role's port>),
SHOP_WEB_WORKERS (2) and SHOP_WEB_THREADS (4, the Python threads of a worker)."""
import gc
import os

from shop.platform.topology import current_role, default_port

TARGET = "shop.wsgi:application"


def bind_address() -> tuple[str, int]:
    host, _, port = os.environ.get("SHOP_WEB_BIND", f"0.0.0.0:{default_port(current_role())}").rpartition(":")
    return host, int(port)


def preload() -> None:
    """Sets Django up and loads the URLconf and middleware (what every request needs) in the main process."""
    import django
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections
    from django.urls import get_resolver

    django.setup(set_prefix=False)
    from shop.platform.config.static import require_collected_static

    require_collected_static()  # here, before any worker starts: a worker failing it would be started again
    WSGIHandler()  # imports every middleware
    get_resolver().url_patterns  # imports every view, serializer and schema module
    connections.close_all()  # no connection crosses the fork


def server():
    """The granian server, its hooks set: discovery (de)registration, the metrics directory, gc.freeze."""
    from django.conf import settings
    from granian import Granian
    from granian.constants import Interfaces

    from shop.platform.observability.logs import server_logging_config
    from shop.platform.observability.metrics import remove_dead_process_files
    from shop.platform.remote.discovery import get_discovery

    host, port = bind_address()
    web = Granian(TARGET, address=host, port=port, interface=Interfaces.WSGI, websockets=False,
                  workers=int(os.environ.get("SHOP_WEB_WORKERS", "2")),
                  blocking_threads=int(os.environ.get("SHOP_WEB_THREADS", "4")),
                  # granian's longest (600 s; 30 by default): a retired thread's database connections stay open
                  # until the garbage collector frees them (Django's connection objects hold reference cycles),
                  # so threads retired after every lull had pushed a bench run past PostgreSQL's max_connections
                  blocking_threads_idle_timeout=600,
                  workers_kill_timeout=int(os.environ.get("SHOP_WEB_GRACE", "10")), respawn_failed_workers=True,
                  log_dictconfig=server_logging_config())
    discovery = get_discovery()
    web.on_startup(lambda: remove_dead_process_files(settings.SHOP_METRICS_DIR))
    web.on_startup(discovery.register)
    web.on_startup(gc.freeze)  # the last before the fork: what is loaded so far stays shared
    web.on_shutdown(discovery.deregister)
    return web


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    preload()
    server().serve()


if __name__ == "__main__":
    main()
