"""gunicorn.conf.py states its forwarded-header trust explicitly (gunicorn believes no forwarded header,
whatever its defaults or FORWARDED_ALLOW_IPS say; Django decides from SHOP_TRUSTED_PROXIES),
makes gunicorn's own log lines JSON under SHOP_LOG_FORMAT=json, and spreads connections over the workers."""
import http.client
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
ESTABLISHED, LISTEN = "01", "0A"  # TCP states in /proc/net/tcp


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


def test_connections_are_spread_over_the_workers_and_closed_after_keepalive_requests(tmp_path):
    """Each worker listens on its own SO_REUSEPORT socket (not one socket shared with the master), and of 16
    connections held open at once both workers hold some. The third answer on a connection says
    "Connection: close" under GUNICORN_KEEPALIVE_REQUESTS=3, and gunicorn closes it."""
    port = next(p for p in range(18899, 18800, -1) if port_free(p))
    env = {**os.environ, "GUNICORN_WORKERS": "2", "GUNICORN_KEEPALIVE_REQUESTS": "3", "SHOP_SERVICE": "monolith",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "DJANGO_DEBUG": "1", "SHOP_DATA_DIR": str(tmp_path)}
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "shop.wsgi"], cwd=CONF.parent, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    connections = []
    try:
        assert poll(lambda: _status(f"http://127.0.0.1:{port}/health/live", {}), bool, timeout=60) == 200
        for _ in range(16):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connections.append(connection)
            assert _get(connection) == (200, "keep-alive")
        workers = [int(pid) for pid in Path(f"/proc/{gunicorn.pid}/task/{gunicorn.pid}/children").read_text().split()]
        listening = {pid: _sockets(pid) & _inodes(port, state=LISTEN) for pid in [gunicorn.pid, *workers]}
        assert not listening[gunicorn.pid] and len(set.union(*listening.values())) == 2, listening
        held = {pid: len(_sockets(pid) & _inodes(port, state=ESTABLISHED)) for pid in workers}
        assert len(held) == 2 and sum(held.values()) == 16 and min(held.values()) > 0, held

        connection = connections[0]
        assert [_get(connection) for _ in range(2)] == [(200, "keep-alive"), (200, "close")]  # answers 2 and 3
        assert connection.sock is None  # http.client closed its end after "Connection: close"
    finally:
        for connection in connections:
            connection.close()
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)


def _get(connection: http.client.HTTPConnection) -> tuple[int, str | None]:
    connection.request("GET", "/health/live")
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("Connection")


def _sockets(pid: int) -> set[str]:
    """The inodes of the sockets process `pid` holds open."""
    links = (os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir())
    return {link[len("socket:["):-1] for link in links if link.startswith("socket:[")}


def _inodes(port: int, state: str) -> set[str]:
    """The inodes of the TCP sockets in `state` whose local port is `port` (for connections: the server's ends)."""
    rows = (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
    return {row[9] for row in rows if int(row[1].rsplit(":", 1)[1], 16) == port and row[3] == state}


def test_a_login_limit_holds_for_the_role_whatever_its_worker_count(tmp_path):
    """Without Redis, two gunicorn workers count wrong logins in one place: of 12 for one username (a new
    connection each, so both workers take some), those past the limit of 10 a minute are 429."""
    port = next(p for p in range(18799, 18700, -1) if port_free(p))
    # its own SQLite files and memory-less counts: none of the suite's databases, Redis or broker
    env = {**{k: v for k, v in os.environ.items()
              if not k.startswith(("SHOP_", "DJANGO_", "GUNICORN_", "CELERY_")) and not k.endswith("_DATABASE_URL")},
           "GUNICORN_WORKERS": "2", "SHOP_SERVICE": "monolith", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "DJANGO_DEBUG": "1", "SHOP_DATA_DIR": str(tmp_path), "SHOP_THROTTLE_LOGIN_USERNAME": "10/min",
           "SHOP_THROTTLE_LOGIN": "1000/min",
           "DJANGO_PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher"}
    subprocess.run([sys.executable, "manage.py", "migrate_all", "-v0"], cwd=CONF.parent, env=env, check=True,
                   timeout=180)
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "shop.wsgi"], cwd=CONF.parent, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert poll(lambda: _status(f"http://127.0.0.1:{port}/health/live", {}), bool, timeout=60) == 200
        statuses = [requests.post(f"http://127.0.0.1:{port}/login", json={"username": "victim", "password": "wrong"},
                                  headers={"Connection": "close"}, timeout=10).status_code for _ in range(12)]
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    assert statuses == [401] * 10 + [429] * 2, statuses
