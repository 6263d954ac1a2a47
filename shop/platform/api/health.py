"""Health for machines and people: /health/ (readiness: every database alias this process owns, the
broker if any and how many task messages were dead-lettered, or the upstreams) and /health/live
(liveness: the process answers, nothing else)."""
import dataclasses

from django.apps import apps
from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from shop.platform.config.pages import PAGES
from shop.platform.messaging.retried import DeadLetter
from shop.platform.topology import APPS


@dataclasses.dataclass
class Broker(HealthCheck):
    """Opens (and closes) a connection to the Celery broker."""

    def run(self):
        from shop.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable(f"Broker unreachable: {type(exc).__name__}") from exc


@dataclasses.dataclass
class DeadLetters(HealthCheck):
    """Counts a dead-letter table's rows into the report (`DeadLetters(table=..., count=N): OK`).

    Dead letters need an operator, not a restart, so they never make the process unready; they are
    also logged at ERROR when they happen."""

    table: str = ""
    count: int | None = None

    def run(self):
        model = next(m for m in apps.get_models() if m._meta.db_table == self.table)
        self.count = model.objects.count()


def local_checks() -> list:
    checks = [(Database, {"alias": app}) for app in settings.SHOP_APPS]
    if settings.CELERY_BROKER_URL:
        checks.append(Broker)
    dead_letters = [m for m in apps.get_models() if issubclass(m, DeadLetter)]
    return checks + [(DeadLetters, {"table": m._meta.db_table}) for m in dead_letters]


@dataclasses.dataclass
class Upstream(HealthCheck):
    """An upstream service's own /health/ (used by the gateway)."""

    app: str = ""

    def run(self):
        from shop.platform.remote.http import send

        try:
            response = send(self.app, "GET", f"{PAGES['health'].url}?format=json",
                            headers={"Accept": "application/json"}, idempotent=True)
        except Exception as exc:
            raise ServiceUnavailable(f"{self.app}: {exc}") from exc
        if response.status != 200:
            raise ServiceUnavailable(f"{self.app} reports unhealthy ({response.status})")


def upstream_checks() -> list:
    return [(Upstream, {"app": app}) for app in APPS]


class HealthView(HealthCheckView):
    """django-health-check's view (JSON for API clients, a page for browsers), answering 503 when a check fails."""

    async def dispatch(self, request, *args, **kwargs):
        response = await super().dispatch(request, *args, **kwargs)
        if response.status_code == 500:  # the library's "a check failed": the service is unavailable, not broken
            response.status_code = 503
        return response


def live(request):
    """Liveness: answers without touching any dependency, so a database outage never restarts the process."""
    return JsonResponse({"status": "alive"})
