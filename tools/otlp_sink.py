"""A small OTLP/HTTP trace receiver that keeps spans in memory: for the tests and the benchmarks.

    with OtlpSink() as sink:   # OTEL_EXPORTER_OTLP_ENDPOINT=sink.endpoint
        ...; sink.spans        # [Span(service, trace_id, span_id, parent_id, name), ...]

`OtlpSink(keep=False)` (the benchmark) only counts the exports and their bytes, without decoding them.
"""
import gzip
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class Span:
    service: str
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    attributes: tuple = ()  # (key, string value) pairs


def decode(body: bytes) -> list[Span]:
    request = ExportTraceServiceRequest.FromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            spans += [Span(attributes.get("service.name", ""), span.trace_id.hex(), span.span_id.hex(),
                           span.parent_span_id.hex(), span.name,
                           tuple((a.key, a.value.string_value) for a in span.attributes)) for span in scope_spans.spans]
    return spans


def _plain(body: bytes, headers) -> bytes:
    return gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body


class OtlpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, keep: bool = True):
        self.spans: list[Span] = []
        self.keep = keep
        self.requests = 0
        self.received_bytes = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _handler(self):
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                spans = decode(_plain(body, self.headers)) if sink.keep else []
                with sink._lock:
                    sink.spans += spans
                    sink.requests += 1
                    sink.received_bytes += len(body)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> "OtlpSink":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
