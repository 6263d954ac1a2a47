"""shop.platform.remote.connections and the retries of shop.platform.remote.http over keep-alive connections, against a real
HTTP/1.1 server on loopback that can close idle connections the way a web server does after its keep-alive time."""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.platform.remote import connections
from shop.platform.remote.breaker import breaker_for
from shop.platform.remote.discovery import get_discovery
from shop.platform.errors import ServiceUnavailable
from shop.platform.remote.http import send


class KeepAliveUpstream:
    """Answers 200 over HTTP/1.1 keep-alive; records each request with the client port it came from."""

    def __init__(self):
        self.requests: list[tuple[str, str, int]] = []  # (method, path, client port)
        self.chunked = self.close_after = False
        self.sockets: list[socket.socket] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close_idle_connections(self):
        """What a server does to connections idle past its keep-alive time: closes them, unasked."""
        while self.sockets:
            self.sockets.pop().shutdown(socket.SHUT_RDWR)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                upstream.sockets.append(self.connection)

            def _serve(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream.requests.append((self.command, self.path, self.client_address[1]))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Set-Cookie", "a=1")
                self.send_header("Set-Cookie", "b=2")
                if upstream.close_after:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                if upstream.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.write(b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n")
                    return
                self.send_header("Content-Length", "2")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(b"{}")

            do_GET = do_POST = do_HEAD = _serve

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def upstream(settings):
    settings.SHOP_REDIS_URL, settings.SHOP_SERVICE = "", "orders"
    breaker_for.cache_clear()
    get_discovery.cache_clear()
    fake = KeepAliveUpstream()
    settings.SHOP_SERVICE_URLS = {**settings.SHOP_SERVICE_URLS, "catalog": fake.url}
    yield fake
    fake.stop()
    breaker_for.cache_clear()
    get_discovery.cache_clear()


def call(base_url: str, method: str = "GET", path: str = "/widgets"):
    return connections.exchange(base_url, method, path, body=None, headers={}, connect_timeout=1, read_timeout=2)


def test_one_connection_per_thread_carries_every_call(upstream):
    answers = [call(upstream.url) for _ in range(3)]
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert answers[0].data == b"{}" and answers[0].headers.get("content-type") == "application/json"
    assert len({port for _, _, port in upstream.requests}) == 1
    other_thread = threading.Thread(target=call, args=(upstream.url,))
    other_thread.start()
    other_thread.join()
    assert len({port for _, _, port in upstream.requests}) == 2


@pytest.mark.parametrize("method, chunked", [("HEAD", False), ("GET", True)])
def test_answers_without_a_body_or_in_chunks_are_read_whole_and_the_connection_kept(upstream, method, chunked):
    upstream.chunked = chunked
    answer = call(upstream.url, method)
    assert (answer.status, answer.data) == (200, b"" if method == "HEAD" else b"{}")
    assert answer.headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    call(upstream.url)
    assert len({port for _, _, port in upstream.requests}) == 1


def test_an_answer_that_closes_the_connection_leaves_none_kept(upstream):
    upstream.close_after = True
    call(upstream.url)
    call(upstream.url)
    assert len({port for _, _, port in upstream.requests}) == 2


def test_a_header_value_with_a_line_break_is_never_sent(upstream):
    with pytest.raises(ValueError):
        connections.exchange(upstream.url, "GET", "/widgets", body=None, headers={"X-Note": "a\r\nX-Admin: 1"},
                             connect_timeout=1, read_timeout=2)
    assert upstream.requests == []


def test_a_connection_the_upstream_closed_while_idle_is_replaced_before_sending(upstream):
    call(upstream.url)
    upstream.close_idle_connections()
    assert send("catalog", "POST", "/widgets", body=b"{}").status == 200  # not idempotent: never sent twice
    assert [method for method, _, _ in upstream.requests] == ["GET", "POST"]
    assert len({port for _, _, port in upstream.requests}) == 2


def test_no_connection_is_unreachable():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(connections.Unreachable):
        call(f"http://127.0.0.1:{port}")


@pytest.fixture
def drops_the_next_request(monkeypatch, upstream):
    """The race a server's keep-alive timeout leaves open: it closes the kept connection just as a request
    goes out on it, so the request is lost with no answer."""
    call(upstream.url)
    monkeypatch.setattr(connections.Connection, "closed_by_peer",
                        lambda connection: (upstream.close_idle_connections(), False)[1])


@pytest.mark.parametrize("method, idempotent", [("GET", True), ("POST", False)])
def test_a_dropped_connection_is_tried_again_only_for_idempotent_calls(upstream, drops_the_next_request,
                                                                       method, idempotent):
    if idempotent:
        assert send("catalog", method, "/widgets", idempotent=True).status == 200
    else:
        with pytest.raises(ServiceUnavailable):
            send("catalog", method, "/widgets", body=b"{}")
    assert [m for m, _, _ in upstream.requests] == ["GET"] + ([method] if idempotent else [])
