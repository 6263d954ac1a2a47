"""Makes services that listen on loopback (the machine's PostgreSQL, RabbitMQ and Redis) reachable from
containers, at their network's gateway address."""
import socket
import threading

IP_FREEBIND = 15  # Linux; not exported by Python's socket module


class TcpForwarder:
    """Listens on (host, listen_port or any free port) and relays each connection to target_port on loopback. `host` may
    be an address no interface has yet (a container network's gateway before its first container)."""

    def __init__(self, host: str, target_port: int, listen_port: int = 0):
        self.target_port = target_port
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
        self.server.bind((host, listen_port))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        self.server.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()
