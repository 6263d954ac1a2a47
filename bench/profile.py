"""Sampling profiles of a running role with py-spy (no code change in the profiled process)."""
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# (label, function, file) for the inclusive table: the share of samples whose stack holds that frame.
STAGES = (
    ("granian WSGI worker: the call into the app (parsing and writing are Rust, outside Python)", "_runner",
     "granian/wsgi.py"),
    ("gunicorn gthread worker: parse, handle, write", "ThreadWorker.handle", "gunicorn/workers/gthread.py"),
    ("gateway short way for reads (Passthrough, beneath Django's handler)", "Passthrough.__call__",
     "shop/gateway/passthrough.py"),
    ("Django WSGIHandler: request -> response", "WSGIHandler.__call__", "django/core/handlers/wsgi.py"),
    ("middleware chain (RequestIdMiddleware and inward)", "RequestIdMiddleware.__call__", "shop/platform/observability/request_id.py"),
    ("URL resolving", "URLResolver.resolve", "django/urls/resolvers.py"),
    ("DRF APIView.dispatch", "APIView.dispatch", "rest_framework/views.py"),
    ("gateway ProxyView.forward", "ProxyView.forward", "shop/gateway/proxy.py"),
    ("shop.platform.remote.http.send", "send", "shop/platform/remote/http.py"),
    ("circuit breaker bookkeeping (outside the guarded call)", "", "shop/platform/remote/breaker.py"),
    ("urllib3 PoolManager.urlopen", "PoolManager.urlopen", "urllib3/poolmanager.py"),
    ("http.client: read the upstream's answer", "HTTPConnection.getresponse", "http/client.py"),
    ("connections: send, read the upstream's answer (httptools; replaced urllib3)", "Connection.exchange",
     "shop/platform/remote/connections.py"),
    ("redis client", "", "redis/"),
    ("Django cache calls (the gateway's stale-fallback copy, close_caches)", "", "django/core/cache/"),
    ("logging", "", "logging/__init__.py"),
    ("view: ProductDetailApi.get", "ProductDetailApi.get", "shop/catalog/api.py"),
    ("ORM: build and run the query, make the model", "QuerySet.first", "django/db/models/query.py"),
    ("ORM: compile SQL", "SQLCompiler.as_sql", "django/db/models/sql/compiler.py"),
    ("psycopg: execute", "Cursor.execute", "psycopg/cursor.py"),
    ("DB connection health check (SELECT 1 per request)", "BaseDatabaseWrapper.close_if_health_check_failed",
     "django/db/backends/base/base.py"),
    ("DRF serializer .data", "BaseSerializer.data", "rest_framework/serializers.py"),
    ("DRF Response rendering", "Response.rendered_content", "rest_framework/response.py"),
    ("view: OrderListApi.post (POST /orders)", "OrderListApi.post", "shop/orders/api.py"),
    ("JWT authentication", "", "rest_framework_simplejwt/"),
    ("orders services", "", "shop/orders/services.py"),
    ("inventory services (reserve)", "", "shop/inventory/services.py"),
    ("idempotency record", "", "shop/platform/api/idempotency.py"),
    ("transaction commit", "Atomic.__exit__", "django/db/transaction.py"),
)


@dataclass
class Profile:
    role: str  # what was profiled, e.g. "gateway" or "monolith, POST /orders"
    samples: int = 0
    stages: list[tuple[str, float]] = field(default_factory=list)
    top_self: list[tuple[str, float]] = field(default_factory=list)
    error: str = ""
    load: str = "wrk loaded GET /products/<id>"  # what ran meanwhile


def py_spy() -> str | None:
    return shutil.which("py-spy") or next((str(p) for p in [Path(sys.executable).parent / "py-spy"] if p.exists()), None)


def start(pid: int, seconds: float) -> tuple[subprocess.Popen, Path] | None:
    """Starts py-spy on a web server's main process and its workers; returns None when py-spy is not installed."""
    binary = py_spy()
    if binary is None:
        return None
    out = Path(tempfile.mkstemp(prefix="bench-pyspy-", suffix=".txt")[1])
    process = subprocess.Popen([binary, "record", "--pid", str(pid), "--subprocesses", "--gil", "--rate", "200",
                                "--duration", str(max(1, round(seconds))), "--format", "raw", "--output", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return process, out


def finish(role: str, started: tuple[subprocess.Popen, Path] | None, *, timeout: float) -> Profile:
    if started is None:
        return Profile(role, error="py-spy is not installed (pip install py-spy)")
    process, out = started
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    try:
        if process.returncode or not out.exists() or not out.stat().st_size:
            return Profile(role, error=f"py-spy failed: {(stderr or '').strip()[-300:]}")
        return summarize(role, out.read_text())
    finally:
        out.unlink(missing_ok=True)


def summarize(role: str, collapsed: str, top: int = 12) -> Profile:
    stacks = []
    for line in collapsed.splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    total = sum(count for _, count in stacks)
    if not total:
        return Profile(role, error="py-spy recorded no samples")
    profile = Profile(role, samples=total)
    for label, function, path in STAGES:
        if path == "shop/platform/remote/breaker.py":
            share = _breaker_own(stacks)
        else:
            share = sum(count for frames, count in stacks if any(_is(f, function, path) for f in frames))
        if share:
            profile.stages.append((label, 100 * share / total))
    own = Counter()
    for frames, count in stacks:
        own[_short(frames[-1])] += count
    profile.top_self = [(name, 100 * count / total) for name, count in own.most_common(top)]
    return profile


def _is(frame: str, function: str, path: str) -> bool:
    """py-spy frames read 'Class.method (package/module.py:line)'."""
    name, _, where = frame.partition(" (")
    return path in where and (not function or name == function)


def _breaker_own(stacks) -> int:
    return sum(count for frames, count in stacks
               if any(_is(f, "Breaker.call", "shop/platform/remote/breaker.py") for f in frames)
               and not any(_is(f, "send.<locals>.attempt", "shop/platform/remote/http.py") for f in frames))


def _short(frame: str) -> str:
    """'func (/long/path/site-packages/pkg/mod.py:12)' -> 'func (pkg/mod.py:12)'."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", "/lib/python3", str(Path(__file__).resolve().parent.parent) + os.sep):
        if marker in where:
            where = where.split(marker, 1)[1]
            if marker.startswith("/lib/python3"):
                where = "stdlib/" + where.split("/", 1)[1]
    return f"{name} ({where})"
