"""Keep-alive HTTP/1.1 connections to the services: one per thread and address, with the standard library's
http.client. A thread never waits for another's connection and a call pays no pool bookkeeping (a urllib3 pool
cost twice the CPU per call, which is the gateway's main work)."""
import http.client
import select
import socket
import threading
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit


class Unreachable(OSError):
    """No connection could be made: nothing was sent, so any call may be tried again."""


class Dropped(ConnectionError):
    """A kept-alive connection failed before any answer came: the upstream had closed it (idle, restarted).
    The request may have been received, so only an idempotent one may be sent again."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message  # case-insensitive .get(name), .get_all(name) for repeated headers
    data: bytes


_local = threading.local()


def exchange(base_url: str, method: str, path: str, *, body: bytes | None, headers: dict,
             connect_timeout: float, read_timeout: float) -> Answer:
    """Sends one request over this thread's connection to `base_url` and reads the whole answer.

    Raises Unreachable, Dropped, TimeoutError (no answer within `read_timeout`), or another OSError or
    http.client.HTTPException (the upstream broke the exchange). A connection that failed is closed."""
    connection, reused = _connection(base_url, connect_timeout)
    try:
        if connection.sock.gettimeout() != read_timeout:
            connection.sock.settimeout(read_timeout)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    except BaseException as exc:
        connection.close()
        if reused and isinstance(exc, (ConnectionError, http.client.BadStatusLine)):
            raise Dropped(f"{base_url} closed the connection") from exc
        raise
    return Answer(response.status, response.headers, data)


def _connection(base_url: str, connect_timeout: float) -> tuple[http.client.HTTPConnection, bool]:
    """This thread's open connection to `base_url` and whether it served before; a new one if it has none."""
    kept = _local.__dict__.setdefault("connections", {})
    connection = kept.get(base_url)
    if connection is not None and connection.sock is not None and not _closed_by_peer(connection.sock):
        return connection, True
    if connection is not None:
        connection.close()
    address = urlsplit(base_url)
    if address.scheme != "http":
        raise Unreachable(f"{base_url}: only plain http is spoken inside the deployment")
    connection = http.client.HTTPConnection(address.hostname, address.port or 80, timeout=connect_timeout)
    try:
        connection.connect()
    except OSError as exc:
        raise Unreachable(f"{base_url}: {exc}") from exc
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    kept[base_url] = connection
    return connection, False


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle keep-alive socket is readable only when the upstream closed it (or wrote unasked)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))
