"""gunicorn.conf.py states its forwarded-header trust explicitly (gunicorn believes no forwarded header,
whatever its defaults or FORWARDED_ALLOW_IPS say; Django decides from SHOP_TRUSTED_PROXIES),
and makes gunicorn's own log lines JSON under SHOP_LOG_FORMAT=json."""
import json
import os
import runpy
import secrets
import signal
import subprocess
import sys
from pathlib import Path

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
