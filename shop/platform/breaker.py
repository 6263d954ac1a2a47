"""Circuit breakers per upstream (pybreaker), without pybreaker's lock held across the call."""
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import cache

import pybreaker
from django.conf import settings

from shop.platform.metrics import BreakerStateListener

STATE_OPEN = pybreaker.STATE_OPEN


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


def _storage(name: str):
    if not settings.SHOP_REDIS_URL:
        return pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
    import redis

    client = redis.Redis.from_url(settings.SHOP_REDIS_URL, socket_timeout=0.2, socket_connect_timeout=0.2)
    return pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, client, namespace=f"{settings.SHOP_NAMESPACE}shop:breaker:{name}")


@cache
def breaker_for(upstream: str) -> Breaker:
    """One breaker per upstream per process; its state is shared through Redis when SHOP_REDIS_URL is set."""
    return Breaker(fail_max=settings.SHOP_BREAKER_FAIL_MAX, reset_timeout=settings.SHOP_BREAKER_RESET_SECONDS,
                   state_storage=_storage(upstream), name=upstream, listeners=[BreakerStateListener()])
