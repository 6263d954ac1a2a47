"""Health for machines and people: /health/ (readiness: every database alias this process owns, the
broker if any and how many task messages were dead-lettered, or the upstreams) and /health/live
(liveness: the process answers, nothing else).

Anyone learns up or down (200 or 503); the checks, their errors and the dead-letter counts are for the
operators (Authorization: Bearer SHOP_METRICS_TOKEN, or dev mode without a token). A check that opens a
connection (the broker, an upstream's own /health/) is reused for REUSE_SECONDS in the process, so a flood
of anonymous calls costs the gateway at most one round of upstream calls per worker and window."""
import dataclasses
import math
import time

from django.apps import apps
from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_vary_headers
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from shop.platform.config.pages import PAGES
from shop.platform.messaging.retried import DeadLetter
from shop.platform.observability.metrics import holds_token
from shop.platform.topology import APPS

REUSE_SECONDS = 2.0
RECENT: dict[str, tuple[float, str | None]] = {}  # repr(check) -> (monotonic time checked, problem or None)


class Reused(HealthCheck):
    """A check that costs a connection: `probe` runs at most once per REUSE_SECONDS in this process (for one
    check's repr, a fixed few per role), its outcome reused in between."""

    def probe(self) -> None:
        raise NotImplementedError

    def run(self):
        checked_at, problem = RECENT.get(repr(self), (-math.inf, None))
        if time.monotonic() - checked_at >= REUSE_SECONDS:
            try:
                self.probe()
                problem = None
            except ServiceUnavailable as exc:
                problem = str(exc)
            RECENT[repr(self)] = (time.monotonic(), problem)
        if problem:
            raise ServiceUnavailable(problem)


@dataclasses.dataclass
class Broker(Reused):
    """Opens (and closes) a connection to the Celery broker."""

    def probe(self):
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
class Upstream(Reused):
    """An upstream service's own /health/ (used by the gateway): up or down is all it needs to hear."""

    app: str = ""

    def probe(self):
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


def for_operators(request) -> bool:
    """Whether the caller may read the checks' details: the bearer of SHOP_METRICS_TOKEN; anyone in dev
    mode when there is no token."""
    authorization = request.headers.get("Authorization", "")
    return holds_token(authorization) or (settings.DEBUG and not settings.SHOP_METRICS_TOKEN)


class HealthView(HealthCheckView):
    """django-health-check's view (JSON for API clients, a page for browsers) for the operators, up or down
    for anyone else; 503 when a check fails."""

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if for_operators(request):
            return response
        down = any(result.error for result in self.results)
        return JsonResponse({"status": "down" if down else "up"}, status=503 if down else 200)

    async def dispatch(self, request, *args, **kwargs):
        response = await super().dispatch(request, *args, **kwargs)
        if response.status_code == 500:  # the library's "a check failed": the service is unavailable, not broken
            response.status_code = 503
        patch_vary_headers(response, ["Authorization"])
        return response


def live(request):
    """Liveness: answers without touching any dependency, so a database outage never restarts the process."""
    return JsonResponse({"status": "alive"})
