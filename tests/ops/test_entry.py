"""The cutover's entry point and plan, without the shop: HAProxy between two tiny HTTP servers (a request in
flight finishes on the old one, the next request on the same kept-alive connection goes to the new one), how a
target topology is named, and the order in which old processes stop."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.conftest import _free_port_base
from tools import entry
from tools.cutover import drain_order, same, target
from tools.stack import Stack


def backend(name: str, port: int) -> ThreadingHTTPServer:
    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def do_GET(self):
            if self.path == "/slow":
                time.sleep(1)
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Answer)
    server.handle_error = lambda request, address: None  # HAProxy closing its idle connections as it stops
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.skipif(not entry.installed(), reason="the entry point is HAProxy: apt-get install haproxy")
def test_the_entry_point_switches_each_new_request_and_lets_the_one_in_flight_finish(tmp_path):
    base = _free_port_base()
    old, new = backend("old", base + 1), backend("new", base + 2)
    front = entry.Entry(tmp_path, base).start(base + 1)
    try:
        client = requests.Session()
        assert client.get(front.url, timeout=5).text == "old"
        in_flight = {}
        slow = threading.Thread(target=lambda: in_flight.update(answer=requests.get(f"{front.url}/slow", timeout=5)))
        slow.start()
        time.sleep(0.3)
        front.switch(base + 2)
        assert front.active()[1] == base + 2
        assert client.get(front.url, timeout=5).text == "new"  # the same kept-alive connection to the entry
        slow.join()
        assert in_flight["answer"].text == "old"
        front.switch(base + 1)  # and back
        assert client.get(front.url, timeout=5).text == "old"
    finally:
        front.stop()
        old.shutdown()
        new.shutdown()


def test_a_target_is_named_by_a_topology_or_by_its_processes():
    assert target("gateway users,catalog,orders inventory") == "users,catalog,orders inventory"
    assert same(target("gateway users,catalog,orders inventory"), "hybrid")
    assert target("split") == "split" and not same("split", "hybrid")
    with pytest.raises(Exception, match="bogus"):
        target("users,bogus")
    for wrong in ("gateway", "monolith inventory"):
        with pytest.raises(ValueError, match="name one of"):
            target(wrong)


def test_old_processes_stop_entry_first_then_workers_then_the_other_roles_then_the_beat(tmp_path):
    hybrid = Stack("hybrid", tmp_path)
    names = ["users,catalog,orders", "inventory", "gateway", *(name for name, _, _ in hybrid.background_commands())]
    assert drain_order(hybrid, names) == [["gateway"], ["users,catalog,orders-worker", "inventory-worker",
                                                        "users,catalog,orders-backstop", "inventory-backstop"],
                                          ["users,catalog,orders", "inventory"], ["beat"]]
    monolith = Stack("monolith", tmp_path, broker_url="amqp://guest:guest@127.0.0.1:5672//")
    assert drain_order(monolith, ["monolith", *(name for name, _, _ in monolith.background_commands())]) == [
        ["monolith"], ["monolith-worker", "monolith-backstop"], ["beat"]]
