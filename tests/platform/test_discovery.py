"""Discovery adapters: EnvDiscovery from settings, ConsulDiscovery against a fake Consul agent on loopback."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from shop.platform.remote.discovery import ConsulDiscovery, EnvDiscovery, get_discovery
from shop.platform.errors import ServiceUnavailable


class FakeConsul:
    """Just the agent endpoints py-consul calls here: service register/deregister and health/service."""

    def __init__(self):
        self.services: dict[str, dict] = {}  # service id -> registration payload
        self.passing: set[str] = set()  # ids whose health check passes
        self.health_queries: list[str] = []  # query strings of /v1/health/service calls
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def add(self, name: str, address: str, port: int, *, passing: bool = True) -> None:
        service_id = f"{name}-{address}-{port}"
        self.services[service_id] = {"name": name, "id": service_id, "address": address, "port": port}
        if passing:
            self.passing.add(service_id)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _health(self, name: str, query: str) -> list[dict]:
        self.health_queries.append(query)
        only_passing = parse_qs(query).get("passing") == ["1"]
        return [
            {"Node": {"Node": "agent", "Address": "127.0.0.1"},
             "Service": {"ID": sid, "Service": s["name"], "Address": s.get("address", ""), "Port": s["port"]}}
            for sid, s in self.services.items()
            if s["name"] == name and (sid in self.passing or not only_passing)
        ]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                path = urlsplit(self.path).path
                if path == "/v1/agent/service/register":
                    payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                    fake.services[payload["id"]] = payload
                elif path.startswith("/v1/agent/service/deregister/"):
                    fake.services.pop(path.rsplit("/", 1)[1], None)
                else:
                    return self._send(404, "")
                self._send(200, "")

            def do_GET(self):
                url = urlsplit(self.path)
                if not url.path.startswith("/v1/health/service/"):
                    return self._send(404, "")
                self._send(200, json.dumps(fake._health(url.path.rsplit("/", 1)[1], url.query)))

            def _send(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Consul-Index", "1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


class Clock:
    """A monotonic clock the test moves by hand, so the cache TTL needs no sleeping."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_consul():
    fake = FakeConsul()
    yield fake
    fake.stop()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def discovery(fake_consul, clock, settings):
    settings.SHOP_CONSUL_URL = fake_consul.url
    settings.SHOP_SERVICE, settings.SHOP_ADVERTISE_HOST, settings.SHOP_ADVERTISE_PORT = "orders", "10.0.0.5", 5003
    return ConsulDiscovery(ttl=5.0, clock=clock, retry_delay=0)


@pytest.fixture
def fresh_get_discovery():
    get_discovery.cache_clear()
    yield get_discovery
    get_discovery.cache_clear()


def resolve_times(discovery, app: str, n: int) -> list[str]:
    return [discovery.resolve(app) for _ in range(n)]


def test_register_sends_name_id_address_port_and_health_check(discovery, fake_consul):
    discovery.register()

    assert fake_consul.services["shop-orders-10.0.0.5-5003"] == {
        "name": "shop-orders",
        "id": "shop-orders-10.0.0.5-5003",
        "address": "10.0.0.5",
        "port": 5003,
        "checks": [{"http": "http://10.0.0.5:5003/health/", "interval": "10s", "timeout": "2s",
                    "DeregisterCriticalServiceAfter": "1m"}],
    }


def test_deregister_removes_the_service(discovery, fake_consul):
    discovery.register()
    discovery.deregister()

    assert fake_consul.services == {}


def test_monolith_does_not_register(discovery, fake_consul, settings):
    settings.SHOP_SERVICE = "monolith"
    discovery.register()

    assert fake_consul.services == {}


def test_register_with_consul_down_logs_instead_of_raising(discovery, fake_consul, caplog):
    fake_consul.stop()
    discovery.register()
    discovery.deregister()

    assert "Gave up registering shop-orders-10.0.0.5-5003" in caplog.text
    assert "deregistration of shop-orders-10.0.0.5-5003 failed" in caplog.text


def test_resolve_round_robins_among_passing_instances_only(discovery, fake_consul):
    fake_consul.add("shop-inventory", "10.0.0.7", 5004)
    fake_consul.add("shop-inventory", "10.0.0.8", 5004)
    fake_consul.add("shop-inventory", "10.0.0.9", 5004, passing=False)

    assert resolve_times(discovery, "inventory", 4) == [
        "http://10.0.0.7:5004", "http://10.0.0.8:5004", "http://10.0.0.7:5004", "http://10.0.0.8:5004"]
    assert fake_consul.health_queries == ["passing=1"]


def test_resolve_falls_back_to_the_node_address(discovery, fake_consul):
    fake_consul.add("shop-users", "", 5001)

    assert discovery.resolve("users") == "http://127.0.0.1:5001"


def test_cache_is_used_within_the_ttl_and_refreshed_after_it(discovery, fake_consul, clock):
    fake_consul.add("shop-catalog", "10.0.0.2", 5002)
    discovery.resolve("catalog")
    fake_consul.services.clear()
    fake_consul.add("shop-catalog", "10.0.0.3", 5002)

    clock.now = 4.9
    assert discovery.resolve("catalog") == "http://10.0.0.2:5002"
    assert len(fake_consul.health_queries) == 1

    clock.now = 5.0
    assert discovery.resolve("catalog") == "http://10.0.0.3:5002"
    assert len(fake_consul.health_queries) == 2


def test_consul_down_serves_the_last_known_instances(discovery, fake_consul, clock):
    fake_consul.add("shop-catalog", "10.0.0.2", 5002)
    discovery.resolve("catalog")
    fake_consul.stop()

    clock.now = 60.0
    assert discovery.resolve("catalog") == "http://10.0.0.2:5002"


def test_consul_down_and_nothing_known_is_service_unavailable(discovery, fake_consul):
    fake_consul.stop()

    with pytest.raises(ServiceUnavailable, match="unreachable"):
        discovery.resolve("catalog")


def test_no_passing_instance_is_service_unavailable(discovery, fake_consul):
    fake_consul.add("shop-catalog", "10.0.0.2", 5002, passing=False)

    with pytest.raises(ServiceUnavailable, match="no passing instance of shop-catalog"):
        discovery.resolve("catalog")


def test_env_discovery_resolves_from_settings(settings):
    settings.SHOP_SERVICE_URLS = {"orders": "http://orders.internal:5003"}

    assert EnvDiscovery().resolve("orders") == "http://orders.internal:5003"


@pytest.mark.parametrize("name, adapter", [("env", EnvDiscovery), ("consul", ConsulDiscovery)])
def test_get_discovery_follows_the_setting(settings, fresh_get_discovery, name, adapter):
    settings.SHOP_DISCOVERY = name

    assert isinstance(fresh_get_discovery(), adapter)


def test_unknown_discovery_or_bad_consul_url_is_a_configuration_error(settings, fresh_get_discovery):
    settings.SHOP_DISCOVERY = "zookeeper"
    with pytest.raises(ImproperlyConfigured, match="zookeeper"):
        fresh_get_discovery()

    with pytest.raises(ImproperlyConfigured, match="SHOP_CONSUL_URL"):
        ConsulDiscovery("consul:8500")
