"""Circuit breakers per upstream (pybreaker), without pybreaker's lock held across the call, and with the
state shared through Redis read from a local copy."""
import logging
import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import cache

import pybreaker
from django.conf import settings

from shop.platform.observability.metrics import BreakerStateListener

logger = logging.getLogger(__name__)
STATE_OPEN = pybreaker.STATE_OPEN
REFRESH_SECONDS = 1.0  # how old the local copy of the shared state may be


class Breaker(pybreaker.CircuitBreaker):
    """pybreaker.CircuitBreaker whose call() locks only to read and update state.

    pybreaker's own call() holds the breaker's lock for the whole guarded call (pybreaker issue #55),
    which serializes every concurrent request to an upstream. Here the call runs unlocked.
    """

    def call(self, func, *args, **kwargs):
        with self._lock:
            if self.current_state == STATE_OPEN:
                opened_at = self._state_storage.opened_at
                if opened_at and datetime.now(UTC) < opened_at + timedelta(seconds=self.reset_timeout):
                    raise pybreaker.CircuitBreakerError("Circuit open")
                self.half_open()
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            with self._lock, suppress(pybreaker.CircuitBreakerError):  # the call ran: report its own error
                self.state._handle_error(exc, reraise=False)
            raise
        with self._lock:
            self.state._handle_success()
        return result


class SharedStorage(pybreaker.CircuitRedisStorage):
    """The state, failure count and opening time in Redis, read through a local copy refreshed at most every
    REFRESH_SECONDS. Failures and state changes are written at once; a success writes only when it resets
    failures. So a closed circuit costs no Redis round trip per call (it cost three), and another process's
    change is seen within REFRESH_SECONDS. While Redis is down, the last copy goes on as this process's own."""

    def __init__(self, state: str, redis_object, namespace: str):
        self._copy = {"state": state, "fail_counter": 0, "opened_at": None}
        self._read_at = float("-inf")
        super().__init__(state, redis_object, namespace=namespace)

    def _fresh(self) -> dict:
        if time.monotonic() - self._read_at >= REFRESH_SECONDS:
            self._read_at = time.monotonic()
            keys = tuple(self._copy)
            try:
                values = self._redis.mget([self._namespace(key) for key in keys])
            except Exception:  # noqa: BLE001 - any Redis failure: keep the copy
                logger.warning("breaker %s: Redis unavailable, using this process's copy", self._namespace_name)
                return self._copy
            if values[0] is None:  # never written, or Redis lost it
                self._initialize_redis_state(self._fallback_circuit_state)
                values = [self._fallback_circuit_state.encode(), b"0", None]
            self._copy = {"state": values[0].decode(), "fail_counter": int(values[1] or 0),
                          "opened_at": datetime.fromtimestamp(int(values[2]), UTC) if values[2] else None}
        return self._copy

    @property
    def state(self) -> str:
        return self._fresh()["state"]

    @state.setter
    def state(self, state: str) -> None:
        self._copy["state"] = state
        pybreaker.CircuitRedisStorage.state.fset(self, state)

    @property
    def counter(self) -> int:
        return self._fresh()["fail_counter"]

    def increment_counter(self) -> None:
        try:
            self._copy["fail_counter"] = int(self._redis.incr(self._namespace("fail_counter")))
        except Exception:  # noqa: BLE001 - any Redis failure: count here
            logger.warning("breaker %s: Redis unavailable, counting the failure here", self._namespace_name)
            self._copy["fail_counter"] += 1

    def reset_counter(self) -> None:
        if self._fresh()["fail_counter"]:
            self._copy["fail_counter"] = 0
            super().reset_counter()

    @property
    def opened_at(self) -> datetime | None:
        return self._fresh()["opened_at"]

    @opened_at.setter
    def opened_at(self, now: datetime) -> None:
        self._copy["opened_at"] = now
        pybreaker.CircuitRedisStorage.opened_at.fset(self, now)


def _storage(name: str):
    if not settings.SHOP_REDIS_URL:
        return pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
    import redis

    client = redis.Redis.from_url(settings.SHOP_REDIS_URL, socket_timeout=0.2, socket_connect_timeout=0.2)
    return SharedStorage(pybreaker.STATE_CLOSED, client, namespace=f"{settings.SHOP_NAMESPACE}shop:breaker:{name}")


@cache
def breaker_for(upstream: str) -> Breaker:
    """One breaker per upstream per process; its state is shared through Redis when SHOP_REDIS_URL is set."""
    return Breaker(fail_max=settings.SHOP_BREAKER_FAIL_MAX, reset_timeout=settings.SHOP_BREAKER_RESET_SECONDS,
                   state_storage=_storage(upstream), name=upstream, listeners=[BreakerStateListener()])
