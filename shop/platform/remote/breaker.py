"""Circuit breakers per upstream (pybreaker), without a lock held across the call, with one trial call
at a time when half-open, and with the state shared through Redis read from a local copy.

Only pybreaker's public API is used: the breaker's open(), half_open(), close(), state, listeners and
is_system_error(), and the CircuitBreakerStorage interface, which SharedStorage implements."""
import calendar
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import cache

import pybreaker
from django.conf import settings

from shop.platform.observability.metrics import BreakerStateListener

logger = logging.getLogger(__name__)
STATE_OPEN, STATE_HALF_OPEN = pybreaker.STATE_OPEN, pybreaker.STATE_HALF_OPEN
REFRESH_SECONDS = 1.0  # how old the local copy of the shared state may be


class Breaker(pybreaker.CircuitBreaker):
    """pybreaker.CircuitBreaker whose call() locks only to read and update state.

    pybreaker's own call() holds the breaker's lock for the whole guarded call (pybreaker issue #55),
    which serializes every concurrent request to an upstream. Here the call runs unlocked; when the circuit
    is half-open, one call of this process is the trial and the others fail fast until it has answered.
    """

    def __init__(self, *, state_storage: pybreaker.CircuitBreakerStorage | None = None, **kwargs):
        self.storage = state_storage or pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
        super().__init__(state_storage=self.storage, **kwargs)
        self._guard = threading.Lock()
        self._trial_running = False

    def call(self, func, *args, **kwargs):
        trial = self._admit()
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:  # the call ran: its own error is raised, even when it trips the circuit
            self._record(exc if self.is_system_error(exc) else None, trial=trial)
            raise
        self._record(None, trial=trial)
        return result

    def _admit(self) -> bool:
        """Whether this call is the half-open circuit's trial; raises CircuitBreakerError instead of
        letting it through while the circuit is open, or half-open with its trial still running."""
        with self._guard:
            state = self.state.name
            if state == STATE_OPEN:
                opened_at = self.storage.opened_at
                if opened_at and datetime.now(UTC) < opened_at + timedelta(seconds=self.reset_timeout):
                    raise pybreaker.CircuitBreakerError("Circuit open")
                self.half_open()
                state = STATE_HALF_OPEN
            if state != STATE_HALF_OPEN:
                return False
            if self._trial_running:
                raise pybreaker.CircuitBreakerError("Circuit half-open, its trial call still running")
            self._trial_running = True
            return True

    def _record(self, failure: BaseException | None, *, trial: bool) -> None:
        """Counts the call's outcome as pybreaker's states do: failures open a closed circuit at fail_max
        and a half-open one at once; a success resets them and closes a half-open circuit."""
        with self._guard:
            if trial:
                self._trial_running = False
            state = self.state.name
            if failure is not None:
                self.storage.increment_counter()
                for listener in self.listeners:
                    listener.failure(self, failure)
                if state == STATE_HALF_OPEN or (state == pybreaker.STATE_CLOSED and
                                                self.storage.counter >= self.fail_max):
                    self.open()
                return
            self.storage.reset_counter()
            if state == STATE_HALF_OPEN:
                self.storage.increment_success_counter()
                if self.storage.success_counter >= self.success_threshold:
                    self.close()
            for listener in self.listeners:
                listener.success(self)


class SharedStorage(pybreaker.CircuitBreakerStorage):
    """The state, failure count and opening time in Redis (under pybreaker's own CircuitRedisStorage keys),
    read through a local copy refreshed at most every REFRESH_SECONDS. Failures and state changes are
    written at once; a success writes only when it resets failures. So a closed circuit costs no Redis round
    trip per call, and another process's change is seen within REFRESH_SECONDS. While Redis is down, the
    last copy goes on as this process's own."""

    def __init__(self, state: str, redis_object, namespace: str):
        super().__init__("redis")
        self.redis, self.namespace, self.initial_state = redis_object, namespace, state
        self._copy = {"state": state, "fail_counter": 0, "opened_at": None}
        self._read_at = float("-inf")
        self._initialize()

    def key(self, name: str) -> str:
        return f"{self.namespace}:pybreaker:{name}"

    def _send(self, command: str, *args):
        """The answer of one Redis command, or None when Redis failed: then the local copy goes on."""
        try:
            return getattr(self.redis, command)(*args)
        except Exception:  # noqa: BLE001 - any Redis failure
            logger.warning("breaker %s: Redis unavailable (%s), using this process's copy", self.namespace, command)
            return None

    def _initialize(self) -> None:
        for name, value in (("fail_counter", 0), ("success_counter", 0), ("state", self.initial_state)):
            self._send("setnx", self.key(name), value)

    def _fresh(self) -> dict:
        if time.monotonic() - self._read_at >= REFRESH_SECONDS:
            self._read_at = time.monotonic()
            keys = tuple(self._copy)
            values = self._send("mget", [self.key(key) for key in keys])
            if values is None:
                return self._copy
            if values[0] is None:  # never written, or Redis lost it
                self._initialize()
                values = [self.initial_state.encode(), b"0", None]
            self._copy = {"state": values[0].decode(), "fail_counter": int(values[1] or 0),
                          "opened_at": datetime.fromtimestamp(int(values[2]), UTC) if values[2] else None}
        return self._copy

    @property
    def state(self) -> str:
        return self._fresh()["state"]

    @state.setter
    def state(self, state: str) -> None:
        self._copy["state"] = state
        self._send("set", self.key("state"), state)

    @property
    def counter(self) -> int:
        return self._fresh()["fail_counter"]

    def increment_counter(self) -> None:
        count = self._send("incr", self.key("fail_counter"))
        self._copy["fail_counter"] = self._copy["fail_counter"] + 1 if count is None else int(count)

    def reset_counter(self) -> None:
        if self._fresh()["fail_counter"]:
            self._copy["fail_counter"] = 0
            self._send("set", self.key("fail_counter"), 0)

    @property
    def success_counter(self) -> int:
        return int(self._send("get", self.key("success_counter")) or 0)

    def increment_success_counter(self) -> None:
        self._send("incr", self.key("success_counter"))

    def reset_success_counter(self) -> None:
        self._send("set", self.key("success_counter"), 0)

    @property
    def opened_at(self) -> datetime | None:
        return self._fresh()["opened_at"]

    @opened_at.setter
    def opened_at(self, now: datetime) -> None:
        """Kept in Redis as epoch seconds, and only ever moved forward (another process may have opened later)."""
        self._copy["opened_at"] = now
        key, seconds = self.key("opened_at"), calendar.timegm(now.timetuple())

        def set_if_later(pipe) -> None:
            current = pipe.get(key)
            pipe.multi()
            if not current or seconds > int(current):
                pipe.set(key, seconds)

        self._send("transaction", set_if_later, key)


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
