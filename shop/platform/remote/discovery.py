"""Service discovery: where an app's service is. `env` (default) reads SHOP_<APP>_URL; `consul` asks Consul."""
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import consul
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from shop.platform.errors import ServiceUnavailable
from shop.platform.config.pages import PAGES
from shop.platform.topology import owned_apps

logger = logging.getLogger(__name__)

CONSUL_TIMEOUT = 2.0  # seconds, every call to the agent
CACHE_TTL = 5.0  # seconds an instance list is used before Consul is asked again
REGISTER_ATTEMPTS = 3
REGISTER_RETRY_DELAY = 0.5  # seconds between registration attempts
CONSUL_ERRORS = (consul.ConsulException, requests.RequestException)


class EnvDiscovery:
    """Base URLs from settings (SHOP_USERS_URL, ...), which compose or Kubernetes DNS names fill."""

    def resolve(self, app: str) -> str:
        return settings.SHOP_SERVICE_URLS[app]

    def register(self) -> None:
        """Nothing to do: the platform's DNS knows the service."""

    def deregister(self) -> None:
        """Nothing to do."""


@dataclass
class _Instances:
    """The base URLs of one service's passing instances, as Consul last told them."""

    urls: tuple[str, ...]
    fetched_at: float
    problem: str = ""  # why `urls` is empty
    turn: itertools.count = field(default_factory=itertools.count)


class ConsulDiscovery:
    """Registers this process as `shop-<app>` for each app it hosts (or `shop-gateway`) in Consul; resolves apps to
    their passing instances, round-robin."""

    def __init__(self, consul_url: str | None = None, *, ttl: float = CACHE_TTL,
                 clock: Callable[[], float] = time.monotonic, retry_delay: float = REGISTER_RETRY_DELAY):
        self.consul_url = (consul_url or settings.SHOP_CONSUL_URL).rstrip("/")
        parts = urlsplit(self.consul_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured(f"SHOP_CONSUL_URL must look like http://host:8500, not {self.consul_url!r}")
        self._address = {"scheme": parts.scheme, "host": parts.hostname, "port": parts.port or 8500}
        self.ttl, self._clock, self._retry_delay = ttl, clock, retry_delay
        self._instances: dict[str, _Instances] = {}
        self._lock = threading.Lock()

    def _client(self) -> consul.Consul:
        """A fresh client per call: no HTTP session is shared across threads or the web server's fork."""
        return consul.Consul(**self._address, connections_timeout=CONSUL_TIMEOUT)

    @staticmethod
    def names() -> tuple[str, ...]:
        """What this process registers as: each app it hosts (a group registers under each of its apps'
        names, at the same address), or the gateway; the monolith is nobody's upstream."""
        if settings.SHOP_SERVICE == "monolith":
            return ()
        return owned_apps(settings.SHOP_SERVICE) or (settings.SHOP_SERVICE,)

    @staticmethod
    def service_id(name: str) -> str:
        return f"shop-{name}-{settings.SHOP_ADVERTISE_HOST}-{settings.SHOP_ADVERTISE_PORT}"

    def register(self) -> None:
        """Registers each name with an HTTP health check; retries briefly, then logs and gives up."""
        for name in self.names():
            self._register(name)

    def _register(self, name: str) -> None:
        host, port, service_id = settings.SHOP_ADVERTISE_HOST, settings.SHOP_ADVERTISE_PORT, self.service_id(name)
        check = consul.Check.http(f"http://{host}:{port}{PAGES['health'].url}", interval="10s", timeout="2s",
                                  deregister="1m")
        for attempt in range(1, REGISTER_ATTEMPTS + 1):
            try:
                self._client().agent.service.register(
                    f"shop-{name}", service_id=service_id, address=host, port=port, check=check)
            except CONSUL_ERRORS as exc:
                logger.warning("Consul registration of %s failed (%d/%d): %s",
                               service_id, attempt, REGISTER_ATTEMPTS, exc)
                if attempt < REGISTER_ATTEMPTS:
                    time.sleep(self._retry_delay)
            else:
                logger.info("Registered %s in Consul at %s", service_id, self.consul_url)
                return
        logger.error("Gave up registering %s in Consul at %s", service_id, self.consul_url)

    def deregister(self) -> None:
        for name in self.names():
            try:
                self._client().agent.service.deregister(self.service_id(name))
            except CONSUL_ERRORS as exc:
                logger.error("Consul deregistration of %s failed: %s", self.service_id(name), exc)

    def resolve(self, app: str) -> str:
        with self._lock:
            instances = self._instances.get(app)
            if instances is None or self._clock() - instances.fetched_at >= self.ttl:
                instances = self._instances[app] = self._fetch(app, instances)
            if not instances.urls:
                raise ServiceUnavailable(instances.problem)
            return instances.urls[next(instances.turn) % len(instances.urls)]

    def _fetch(self, app: str, last: _Instances | None) -> _Instances:
        """Asks Consul for the passing instances; keeps the last known list while Consul is unreachable."""
        now = self._clock()
        try:
            _, nodes = self._client().health.service(f"shop-{app}", passing=True)
        except CONSUL_ERRORS as exc:
            logger.warning("Consul at %s unreachable, resolving shop-%s: %s", self.consul_url, app, exc)
            if last and last.urls:
                return _Instances(last.urls, now, turn=last.turn)
            problem = f"Consul at {self.consul_url} is unreachable and shop-{app} has no known instance."
            return _Instances((), now, problem)
        urls = tuple(f"http://{_address(node)}:{node['Service']['Port']}" for node in nodes or ())
        return _Instances(urls, now, f"Consul lists no passing instance of shop-{app}.",
                          turn=last.turn if last else itertools.count())


def _address(node: dict) -> str:
    """The service's address, or its node's when the service registered none (Consul's convention)."""
    return node["Service"]["Address"] or node["Node"]["Address"]


@cache
def get_discovery() -> EnvDiscovery | ConsulDiscovery:
    if settings.SHOP_DISCOVERY == "env":
        return EnvDiscovery()
    if settings.SHOP_DISCOVERY == "consul":
        return ConsulDiscovery()
    raise ImproperlyConfigured(f"SHOP_DISCOVERY must be 'env' or 'consul', not {settings.SHOP_DISCOVERY!r}")
