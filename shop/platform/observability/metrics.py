"""Prometheus metrics of a role: requests per route and status, circuit-breaker states, outbox backlog
and Celery task outcomes. Multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by settings), so one scrape
counts every web worker and every Celery process that shares the role's directory."""
import hmac
import logging
import struct
import threading
import time
from pathlib import Path

import pybreaker
from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict

from shop.platform.errors import not_found, problem_response
from shop.platform.config.pages import PAGES
from shop.platform.topology import process_alive

logger = logging.getLogger(__name__)
KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
BREAKER_STATES = {pybreaker.STATE_CLOSED: 0, pybreaker.STATE_HALF_OPEN: 1, pybreaker.STATE_OPEN: 2}

REQUESTS = Counter("shop_http_requests", "HTTP requests answered, by route, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("shop_http_request_duration_seconds", "Time to answer an HTTP request, by route, method, status.",
                    ["route", "method", "status"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
BREAKER_STATE = Gauge("shop_breaker_state", "Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.",
                      ["upstream"], multiprocess_mode="livemax")
TASKS = Counter("shop_celery_tasks", "Celery tasks finished, by task and outcome.", ["task", "outcome"])
QUEUE_TASKS = Counter("shop_celery_queue_tasks", "Tasks a worker finished (any outcome), by the queue they came from: "
                      "the consumer's progress.", ["queue"])
UNREADABLE_FILES = Counter("shop_metrics_unreadable_files", "Metric files a scrape skipped as unreadable (corrupted).")


def route_of(match) -> str:
    """The route pattern a request resolved to (a ResolverMatch or None), the label it is counted under."""
    if match is None or match.func is not_found:
        return "unmatched"
    return "/" + match.route.strip("/")


_LABELLED: dict[tuple[str, str, str], tuple] = {}  # label values -> their two series; labels() locks on every call


def count_request(route: str, method: str, status: int, seconds: float) -> None:
    labels = (route, method if method in KNOWN_METHODS else "OTHER", str(status))
    series = _LABELLED.get(labels)
    if series is None:  # routes, methods and statuses are each a small set
        series = _LABELLED[labels] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
    series[0].inc()
    series[1].observe(seconds)


class MetricsMiddleware:
    """Counts each answered request and its latency under the route pattern, never the raw path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        count_request(route_of(getattr(request, "resolver_match", None)), request.method, response.status_code,
                      time.perf_counter() - started)
        return response

SCRAPE_COLLECTORS: list = []  # collectors read at each scrape, added by higher layers (the outbox backlog)


def collect_at_scrape(collector) -> None:
    if all(type(known) is not type(collector) for known in SCRAPE_COLLECTORS):
        SCRAPE_COLLECTORS.append(collector)


class BreakerStateListener(pybreaker.CircuitBreakerListener):
    def state_change(self, breaker, old_state, new_state):
        BREAKER_STATE.labels(breaker.name).set(BREAKER_STATES[new_state.name])


def count_task_outcome(outcome: str):
    def receiver(sender=None, **kwargs):
        TASKS.labels(getattr(sender, "name", str(sender)), outcome).inc()
    return receiver


def connect_task_signals() -> None:
    from celery import signals

    signals.worker_ready.connect(serve_worker_metrics, weak=False, dispatch_uid="shop-metrics-server")
    for signal, outcome in ((signals.task_success, "success"), (signals.task_failure, "failure"),
                            (signals.task_retry, "retry")):
        signal.connect(count_task_outcome(outcome), weak=False, dispatch_uid=f"shop-metrics-{outcome}")
    signals.task_postrun.connect(count_queue_progress, weak=False, dispatch_uid="shop-metrics-queue-progress")


def count_queue_progress(task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    if request is None or request.is_eager:
        return
    queue = (request.delivery_info or {}).get("routing_key") or "unknown"
    QUEUE_TASKS.labels(queue).inc()


def holds_token(authorization: str) -> bool:
    """Whether an Authorization header carries SHOP_METRICS_TOKEN (never when there is none)."""
    token = settings.SHOP_METRICS_TOKEN
    return bool(token) and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


def _authorized(authorization: str) -> bool:
    """/metrics: the token's bearer; anyone where there is no token (settings refuse that in production)."""
    return not settings.SHOP_METRICS_TOKEN or holds_token(authorization)


class SettledFilesCollector:
    """prometheus_client's multiprocess collector, without the files it cannot read, so one bad file does not
    fail the whole scrape (a 500):
    - a file a process is still creating: it has 0 bytes for a moment (client_python#1199);
    - a file removed between the listing and the reading (a dead process's, cleaned up);
    - a corrupted file: two processes wrote it, which happens when processes of two pid namespaces (pods or
      containers sharing a volume) got the same pid. Settings keep a directory per host to prevent that.
    The live gauges of a process that has died (a web worker the server replaced) are removed first."""

    def __init__(self, directory: Path):
        self.directory = directory

    def collect(self):
        remove_dead_process_files(self.directory, "gauge_live*.db")
        files = [path for path in self.directory.glob("*.db") if _readable(path)]
        merge = multiprocess.MultiProcessCollector.merge
        try:
            return merge([str(path) for path in files], accumulate=True)
        except FileNotFoundError:  # removed since it was read: once more without it
            return merge([str(path) for path in files if path.exists()], accumulate=True)


def _readable(path: Path) -> bool:
    try:
        if not path.stat().st_size:
            return False
        for _ in MmapedDict.read_all_values_from_file(str(path)):
            pass
        return True
    except FileNotFoundError:  # a dead process's file, removed since the listing
        return False
    except (RuntimeError, ValueError, struct.error) as exc:  # corrupted (UnicodeDecodeError is a ValueError)
        UNREADABLE_FILES.inc()
        logger.warning("metrics: skipping the unreadable file %s: %s", path.name, exc)
        return False


def exposition() -> bytes:
    """Every process of this role, read from the multiprocess directory, plus what is read at scrape time."""
    registry = CollectorRegistry()
    registry.register(SettledFilesCollector(Path(settings.SHOP_METRICS_DIR)))
    for collector in SCRAPE_COLLECTORS:
        registry.register(collector)
    return generate_latest(registry)


def metrics_view(request):
    """GET /metrics (Authorization: Bearer SHOP_METRICS_TOKEN; production always has one while metrics are on)."""
    if not settings.SHOP_METRICS:
        return not_found(request)
    if not _authorized(request.headers.get("Authorization", "")):
        return problem_response(401, "Not authenticated", "Scraping /metrics needs Authorization: Bearer <token>.",
                                "not-authenticated", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def _worker_metrics_app(environ, start_response):
    if environ.get("PATH_INFO") != PAGES["metrics"].url or not _authorized(environ.get("HTTP_AUTHORIZATION", "")):
        start_response("404 Not Found" if environ.get("PATH_INFO") != PAGES["metrics"].url else "401 Unauthorized", [])
        return [b""]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [exposition()]


def serve_worker_metrics(**kwargs) -> None:
    """On a Celery worker's start: /metrics on SHOP_METRICS_PORT (workers have no HTTP port of their own)."""
    port = settings.SHOP_METRICS_PORT
    if not (settings.SHOP_METRICS and port):
        return
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("0.0.0.0", port, _worker_metrics_app, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, name="shop-metrics", daemon=True).start()


def remove_dead_process_files(directory: str | Path, pattern: str = "*.db") -> None:
    """Deletes the metric files (those matching `pattern`) of processes that are gone, keeping live ones'."""
    for path in Path(directory).glob(pattern):
        if not process_alive(_pid_of(path)):
            path.unlink(missing_ok=True)


def _pid_of(path: Path) -> int:
    return int(path.stem.rsplit("_", 1)[-1])  # prometheus_client names a file <type>_<pid>.db

