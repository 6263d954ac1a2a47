"""gunicorn.conf.py states its forwarded-header trust explicitly (gunicorn believes no forwarded header,
whatever its defaults or FORWARDED_ALLOW_IPS say; Django decides from SHOP_TRUSTED_PROXIES), makes
gunicorn's own log lines JSON under SHOP_LOG_FORMAT=json, and its accept limit spreads a burst of
keep-alive connections over the workers without starving later clients."""
import http.client
import json
import os
import runpy
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

import pytest
import requests
from gunicorn.config import Config

from tests.conftest import port_free
from tests.contract.client import poll

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_gunicorn_trusts_no_peer_with_forwarded_headers(monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # gunicorn's own env default must not matter
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    assert config.secure_scheme_headers == {}
    assert config.forwarded_allow_ips == []


def test_gunicorn_writes_its_own_lines_as_json_under_shop_log_format_json(tmp_path):
    """A real gunicorn (the monolith in dev mode): every line on stderr (gunicorn's boot and worker lines, the
    app's, Django's request warnings) and in the access log is a JSON object with the role; the access
    line carries the request's ids.
    (Spans go to stdout: the console exporter makes a trace id without a collector.)"""
    port = next(p for p in range(18990, 18900, -1) if port_free(p))
    access_log = tmp_path / "access.log"
    env = {**os.environ, "SHOP_LOG_FORMAT": "json", "GUNICORN_ACCESSLOG": str(access_log), "GUNICORN_WORKERS": "1",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "SHOP_SERVICE": "monolith", "DJANGO_DEBUG": "1",
           "SHOP_DATA_DIR": str(tmp_path), "OTEL_TRACES_EXPORTER": "console"}
    trace_id = secrets.token_hex(16)
    headers = {"X-Request-ID": "gunicorn-json-1", "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "shop.wsgi"], cwd=CONF.parent, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert poll(lambda: _status(f"http://127.0.0.1:{port}/health/live", headers), bool, timeout=60) == 200
        assert _status(f"http://127.0.0.1:{port}/no-such-page", {}) == 404  # a django.request warning
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        _, stderr = gunicorn.communicate(timeout=30)
    errors = [json.loads(line) for line in stderr.splitlines()]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in errors), stderr
    assert any(line["logger"] == "django.request" and "/no-such-page" in line["message"] for line in errors), stderr
    access, _ = [json.loads(line) for line in access_log.read_text().splitlines()]
    assert all(line["role"] == "monolith" for line in (*errors, access))
    assert access["logger"] == "gunicorn.access" and "GET /health/live" in access["message"]
    assert (access["request_id"], access["trace_id"]) == ("gunicorn-json-1", trace_id)


def _status(url: str, headers: dict) -> int | None:
    try:
        return requests.get(url, headers=headers, timeout=3).status_code
    except requests.RequestException:
        return None


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with this gunicorn.conf.py (2 workers x 4 threads), serving tests/gunicorn_pid_app.py."""
    port = next(p for p in range(24000 + os.getpid() % 97 * 10, 32000) if port_free(p))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "SHOP_"))}
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", GUNICORN_THREADS="4", DJANGO_DEBUG="1",
               SHOP_SERVICE="monolith", SHOP_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="shop.settings")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONF), "tests.gunicorn_pid_app:application"],
                              cwd=CONF.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = set()
        for _ in range(600):  # fresh connections until both workers have answered one
            with suppress(OSError):
                seen.add(_ask(http.client.HTTPConnection("127.0.0.1", port, timeout=10), close=True))
            if len(seen) == 2:
                break
            time.sleep(0.1)
        assert len(seen) == 2, "gunicorn did not start its two workers"
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ask(conn: http.client.HTTPConnection, close: bool = False) -> int:
    conn.request("GET", "/", headers={"Connection": "close"} if close else {})
    pid = int(conn.getresponse().read())
    if close:
        conn.close()
    return pid


def test_a_burst_of_keep_alive_connections_is_spread_over_both_workers(gunicorn):
    """16 connections opened at once, as wrk or the gateway's pool opens them: each worker takes 8."""
    conns = [http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10) for _ in range(16)]
    for conn in conns:
        conn.connect()
    served_by = Counter(_ask(conn) for conn in conns)
    assert sorted(served_by.values()) == [8, 8]


def test_clients_beyond_the_limit_are_still_served(gunicorn):
    """Idle keep-alive connections above worker_connections - threads are closed, so the limit starves no one."""
    idle = [http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10) for _ in range(16)]
    for conn in idle:
        conn.connect()
    for conn in idle:
        _ask(conn)
    assert _ask(http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10))
