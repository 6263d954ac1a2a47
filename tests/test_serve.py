"""The web server of every role (shop/serve.py, granian) as it runs: forwarded headers believed only as Django
decides (SHOP_TRUSTED_PROXIES), its own lines JSON under SHOP_LOG_FORMAT=json with the app's access lines
carrying the request's ids, requests in flight finished on SIGTERM, and limits held across its workers."""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import port_free
from tests.contract.client import poll

ROOT = Path(__file__).resolve().parent.parent


def _server(tmp_path, port: int, **env) -> subprocess.Popen:
    """`python -m shop.serve`, the monolith in dev mode on its own SQLite files (none of the suite's databases,
    Redis or broker), migrated; stderr piped."""
    env = {**{k: v for k, v in os.environ.items()
              if not k.startswith(("SHOP_", "DJANGO_", "CELERY_")) and not k.endswith("_DATABASE_URL")},
           "SHOP_SERVICE": "monolith", "SHOP_WEB_BIND": f"127.0.0.1:{port}", "DJANGO_DEBUG": "1",
           "SHOP_DATA_DIR": str(tmp_path), "DJANGO_PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
           **env}
    subprocess.run([sys.executable, "manage.py", "migrate_all", "-v0"], cwd=ROOT, env=env, check=True, timeout=180)
    server = subprocess.Popen([sys.executable, "-m", "shop.serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert poll(lambda: _status(f"http://127.0.0.1:{port}/health/live", {}), bool, timeout=60) == 200
    return server


def _stop(server: subprocess.Popen) -> str:
    """SIGTERM to the main process only, as a container runtime sends it; its stderr."""
    server.send_signal(signal.SIGTERM)
    _, stderr = server.communicate(timeout=30)
    return stderr


def _status(url: str, headers: dict) -> int | None:
    try:
        return requests.get(url, headers=headers, timeout=3).status_code
    except requests.RequestException:
        return None


def _port(start: int) -> int:
    return next(p for p in range(start, start - 100, -1) if port_free(p))


def test_forwarded_headers_from_an_untrusted_peer_change_nothing(tmp_path):
    """With no trusted proxy, the API root's links use the address and scheme the client really used."""
    port = _port(18999)
    server = _server(tmp_path, port, SHOP_TRUSTED_PROXIES="0")
    try:
        root = requests.get(f"http://127.0.0.1:{port}/", timeout=10, headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9",
            "Forwarded": "for=203.0.113.9;proto=https;host=evil.example"}).json()
    finally:
        _stop(server)
    assert root and all(link.startswith(f"http://127.0.0.1:{port}/") for link in root.values()), root


def test_its_own_lines_and_the_access_lines_are_json_with_the_request_ids(tmp_path):
    """Every line on stderr (the server's start and worker lines, the app's, Django's request warnings, the
    access lines) is a JSON object with the role; an access line carries its request's ids.
    (Spans go to stdout: the console exporter makes a trace id without a collector.)"""
    port = _port(18899)
    trace_id = secrets.token_hex(16)
    headers = {"X-Request-ID": "serve-json-1", "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}
    server = _server(tmp_path, port, SHOP_LOG_FORMAT="json", SHOP_ACCESS_LOG="1", OTEL_TRACES_EXPORTER="console")
    try:
        assert _status(f"http://127.0.0.1:{port}/health/live", headers) == 200
        assert _status(f"http://127.0.0.1:{port}/no-such-page", {}) == 404  # a django.request warning
    finally:
        stderr = _stop(server)
    lines = [json.loads(line) for line in stderr.splitlines()]
    assert all(line["role"] == "monolith" for line in lines), stderr
    assert any(line["logger"].startswith("_granian") and "Started worker" in line["message"] for line in lines), stderr
    assert any(line["logger"] == "django.request" and "/no-such-page" in line["message"] for line in lines), stderr
    access = [line for line in lines if line["logger"] == "shop.access" and "GET /health/live" in line["message"]
              and line["request_id"] == "serve-json-1"]
    assert access and access[0]["trace_id"] == trace_id and " 200 " in access[0]["message"], stderr


def test_sigterm_finishes_the_requests_in_flight_and_takes_no_new_connection(tmp_path):
    """A login whose body is still arriving when SIGTERM comes is answered in full; a new connection after it
    is refused, and the server exits."""
    port = _port(18799)
    server = _server(tmp_path, port)
    body = json.dumps({"username": "nobody", "password": "wrong"}).encode()
    in_flight = socket.create_connection(("127.0.0.1", port), timeout=10)
    in_flight.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body[:10])
    time.sleep(1)  # the worker has the request and waits for its body
    server.send_signal(signal.SIGTERM)
    time.sleep(1)
    refused = poll(lambda: _status(f"http://127.0.0.1:{port}/health/live", {}), lambda status: status is None,
                   timeout=10)
    in_flight.sendall(body[10:])
    answer = b""
    while chunk := in_flight.recv(65536):
        answer += chunk
    in_flight.close()
    assert server.wait(timeout=30) == 0
    assert refused is None
    assert answer.startswith(b"HTTP/1.1 401"), answer


def test_a_login_limit_holds_for_the_role_whatever_its_worker_count(tmp_path):
    """Without Redis, two workers count wrong logins in one place: of 12 for one username (a new connection
    each, so both workers take some), those past the limit of 10 a minute are 429."""
    port = _port(18699)
    server = _server(tmp_path, port, SHOP_WEB_WORKERS="2", SHOP_THROTTLE_LOGIN_USERNAME="10/min",
                     SHOP_THROTTLE_LOGIN="1000/min")
    try:
        statuses = [requests.post(f"http://127.0.0.1:{port}/login", json={"username": "victim", "password": "wrong"},
                                  headers={"Connection": "close"}, timeout=10).status_code for _ in range(12)]
    finally:
        _stop(server)
    assert statuses == [401] * 10 + [429] * 2, statuses


def test_idle_web_threads_are_kept_through_lulls():
    """A retired thread's database connections stay open until the garbage collector frees them, so the server
    keeps its idle threads as long as granian allows (600 s, its CLI's bound), not its default 30 s."""
    from shop.serve import server

    assert server().blocking_threads_idle_timeout == 600
