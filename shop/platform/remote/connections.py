"""Keep-alive HTTP/1.1 connections to the services, one per thread and address, with answers parsed by
httptools (llhttp, the parser of Node.js and uvicorn). A thread never waits for another's connection, and
a call pays neither a pool's bookkeeping nor the email-module header parsing of http.client (forwarding is
the gateway's work; docs/benchmarks.md has the figures)."""
import select
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit
from wsgiref.headers import Headers

import httptools

BODY_METHODS = frozenset(("POST", "PUT", "PATCH"))  # an empty body is still declared: Content-Length: 0
READ_SIZE = 64 * 1024


class Unreachable(OSError):
    """No connection could be made: nothing was sent, so any call may be tried again."""


class Dropped(ConnectionError):
    """A kept-alive connection failed before any answer came: the upstream had closed it (idle, restarted).
    The request may have been received, so only an idempotent one may be sent again."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Headers  # .get(name) compares names case-insensitively; .get_all(name) for repeated headers
    data: bytes


class _Reading:
    """httptools' callbacks for one answer: its headers and body, whether it is complete and whether the
    connection stays open after it (asked while the parser still holds the answer's headers)."""

    def __init__(self, head_only: bool):
        self.head_only, self.headers, self.body, self.complete, self.keep_alive = head_only, [], [], False, False
        self.parser = httptools.HttpResponseParser(self)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = self.head_only  # an answer to HEAD announces a body it does not send

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class Connection:
    """One keep-alive connection to a base URL (http://host:port)."""

    def __init__(self, base_url: str, connect_timeout: float):
        address = urlsplit(base_url)
        if address.scheme != "http" or not address.hostname:
            raise Unreachable(f"{base_url}: only plain http://host:port is spoken inside the deployment")
        self.host, self.served, self.read_timeout = address.netloc, 0, None
        try:
            self.sock = socket.create_connection((address.hostname, address.port or 80), timeout=connect_timeout)
        except OSError as exc:
            raise Unreachable(f"{base_url}: {exc}") from exc
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def closed_by_peer(self) -> bool:
        """An idle keep-alive socket is readable only when the upstream closed it (or wrote unasked)."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(0))

    def exchange(self, method: str, path: str, body: bytes | None, headers: dict, read_timeout: float) -> Answer:
        """Sends the request and reads the whole answer; leaves the connection open only if both sides keep it.
        Raises Dropped when a connection that served before fails before any byte of the answer came."""
        if read_timeout != self.read_timeout:
            self.sock.settimeout(read_timeout)
            self.read_timeout = read_timeout
        reading, received = _Reading(head_only=method == "HEAD"), False
        try:
            self.sock.sendall(_head(method, path, self.host, headers, body) + (body or b""))
            while not reading.complete:
                chunk = self.sock.recv(READ_SIZE)
                if not chunk:
                    raise ConnectionError("the upstream closed the connection " +
                                          ("mid-answer" if received else "without answering"))
                received = True
                reading.parser.feed_data(chunk)
        except ConnectionError as exc:
            if self.served and not received:
                raise Dropped(f"{self.host} closed the kept connection") from exc
            raise
        except httptools.HttpParserError as exc:
            raise ConnectionError(f"the answer of {self.host} is not HTTP/1.1: {exc}") from exc
        self.served += 1
        if not reading.keep_alive:
            self.close()
        return Answer(reading.parser.get_status_code(), Headers(reading.headers), b"".join(reading.body))

    def close(self) -> None:
        self.sock.close()


def _head(method: str, path: str, host: str, headers: dict, body: bytes | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{name}: {value}" for name, value in headers.items())]
    if body is not None or method in BODY_METHODS:
        lines.append(f"Content-Length: {len(body or b'')}")
    head = "\r\n".join(lines)
    if head.count("\n") != len(lines) - 1 or head.count("\r") != len(lines) - 1:
        raise ValueError("a request line or header holds a line break")  # it would split the request
    return (head + "\r\n\r\n").encode("latin-1")


_local = threading.local()


def exchange(base_url: str, method: str, path: str, *, body: bytes | None, headers: dict,
             connect_timeout: float, read_timeout: float) -> Answer:
    """One request and its answer over this thread's connection to `base_url`.

    Raises Unreachable, Dropped, TimeoutError (no answer within `read_timeout`), or another OSError (the
    upstream broke the exchange). A connection that failed is closed."""
    kept = _local.__dict__.setdefault("connections", {})
    connection = kept.pop(base_url, None)  # back in only once it answered and stays open
    if connection is not None and (connection.sock.fileno() < 0 or connection.closed_by_peer()):
        connection.close()
        connection = None
    connection = connection or Connection(base_url, connect_timeout)
    try:
        answer = connection.exchange(method, path, body, headers, read_timeout)
    except BaseException:
        connection.close()
        raise
    if connection.sock.fileno() >= 0:
        kept[base_url] = connection
    return answer
