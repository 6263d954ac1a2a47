"""shop.platform.remote.breaker: opens, fails fast, half-opens, and never serializes concurrent calls."""
import threading
import time
import uuid

import pybreaker
import pytest
import redis

from shop.platform.remote import breaker
from shop.platform.remote.breaker import Breaker, breaker_for
from tests.conftest import REDIS_URL


class Upstream:
    """A guarded function that counts its calls and fails while `failing` is set."""

    def __init__(self):
        self.calls = 0
        self.failing = True

    def __call__(self):
        self.calls += 1
        if self.failing:
            raise ConnectionError("upstream down")
        return "ok"


@pytest.fixture(autouse=True)
def fresh_breakers(settings):
    settings.SHOP_REDIS_URL = ""  # breakers in memory: no state shared with other tests
    breaker_for.cache_clear()
    yield
    breaker_for.cache_clear()


def test_opens_after_fail_max_failures_then_fails_fast_without_calling(settings):
    settings.SHOP_BREAKER_FAIL_MAX, settings.SHOP_BREAKER_RESET_SECONDS = 3, 60
    breaker, upstream = breaker_for("catalog"), Upstream()
    for _ in range(3):
        with pytest.raises(ConnectionError):  # the calls that ran report their own error, the tripping one too
            breaker.call(upstream)
    assert breaker.current_state == pybreaker.STATE_OPEN
    with pytest.raises(pybreaker.CircuitBreakerError):
        breaker.call(upstream)
    assert upstream.calls == 3


def test_success_resets_the_failure_count(settings):
    settings.SHOP_BREAKER_FAIL_MAX = 2
    breaker, upstream = breaker_for("catalog"), Upstream()
    with pytest.raises(ConnectionError):
        breaker.call(upstream)
    upstream.failing = False
    breaker.call(upstream)
    upstream.failing = True
    with pytest.raises(ConnectionError):
        breaker.call(upstream)
    assert breaker.current_state == pybreaker.STATE_CLOSED


@pytest.mark.parametrize("trial_fails, state_after", [(False, pybreaker.STATE_CLOSED), (True, pybreaker.STATE_OPEN)])
def test_half_opens_after_reset_timeout_and_the_trial_call_decides(trial_fails, state_after):
    breaker, upstream = Breaker(fail_max=1, reset_timeout=0.05), Upstream()
    with pytest.raises(ConnectionError):
        breaker.call(upstream)
    assert breaker.current_state == pybreaker.STATE_OPEN
    time.sleep(0.1)  # longer than reset_timeout: the next call is the trial
    upstream.failing = trial_fails
    if trial_fails:
        with pytest.raises(ConnectionError):
            breaker.call(upstream)
    else:
        assert breaker.call(upstream) == "ok"
    assert upstream.calls == 2
    assert breaker.current_state == state_after


def test_half_open_lets_one_trial_call_through_and_fails_the_others_fast():
    breaker, upstream = Breaker(fail_max=1, reset_timeout=0.05), Upstream()
    with pytest.raises(ConnectionError):
        breaker.call(upstream)
    time.sleep(0.1)  # longer than reset_timeout: the circuit half-opens at the next call
    entered, release = threading.Event(), threading.Event()

    def slow_trial():
        entered.set()
        assert release.wait(timeout=10)
        return "ok"

    trial = threading.Thread(target=breaker.call, args=(slow_trial,))
    trial.start()
    assert entered.wait(timeout=10)
    refused = []

    def concurrent():
        try:
            breaker.call(upstream)
        except pybreaker.CircuitBreakerError:
            refused.append(True)

    others = [threading.Thread(target=concurrent) for _ in range(8)]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(timeout=10)
    assert (len(refused), upstream.calls, breaker.current_state) == (8, 1, pybreaker.STATE_HALF_OPEN)
    release.set()
    trial.join(timeout=10)
    assert breaker.current_state == pybreaker.STATE_CLOSED
    upstream.failing = False
    assert breaker.call(upstream) == "ok"  # closed again: every call goes through


@pytest.mark.parametrize("breaker_class, serialized", [(pybreaker.CircuitBreaker, True), (Breaker, False)])
def test_concurrent_calls_run_at_the_same_time(breaker_class, serialized):
    """Two calls meet inside the guarded function; pybreaker's own call() holds a lock, so they cannot."""
    breaker, barrier = breaker_class(fail_max=10, reset_timeout=60), threading.Barrier(2, timeout=5)
    outcomes = []

    def meet():
        try:
            breaker.call(barrier.wait)
            outcomes.append("met")
        except threading.BrokenBarrierError:
            outcomes.append("broken")

    threads = [threading.Thread(target=meet) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2
    assert ("broken" in outcomes) is serialized


class CountingRedis:
    """A real Redis client that counts the commands it sends, and fails them all while `down` is set."""

    def __init__(self):
        self.client = redis.Redis.from_url(REDIS_URL or "redis://127.0.0.1:6379/0", socket_timeout=2)
        self.commands, self.down = 0, False

    def __getattr__(self, name):
        command = getattr(self.client, name)

        def counted(*args, **kwargs):
            self.commands += 1
            if self.down:
                raise redis.ConnectionError("Redis is down")
            return command(*args, **kwargs)

        return counted


@pytest.fixture
def shared(monkeypatch):
    """Two breakers on one upstream's state in Redis, as two web workers hold them; the local copy is
    refreshed at every call unless a test says otherwise."""
    monkeypatch.setattr(breaker, "REFRESH_SECONDS", 0.0)
    namespace, redis_client = f"test-{uuid.uuid4().hex}:breaker", CountingRedis()
    pair = [Breaker(fail_max=2, reset_timeout=60,
                    state_storage=breaker.SharedStorage(pybreaker.STATE_CLOSED, redis_client, namespace=namespace))
            for _ in range(2)]
    yield redis_client, pair
    redis_client.client.delete(*redis_client.client.keys(f"{namespace}:*"))


def test_shared_failures_open_the_circuit_for_every_process(shared):
    _, (here, there) = shared
    upstream = Upstream()
    with pytest.raises(ConnectionError):
        here.call(upstream)
    with pytest.raises(ConnectionError):  # the second failure, wherever it happens, trips it
        there.call(upstream)
    for each in (here, there):
        with pytest.raises(pybreaker.CircuitBreakerError):
            each.call(upstream)
    assert upstream.calls == 2


def test_a_closed_circuit_reads_redis_at_most_once_per_refresh_and_writes_only_failures(shared, monkeypatch):
    redis_client, (here, _) = shared
    monkeypatch.setattr(breaker, "REFRESH_SECONDS", 3600.0)
    upstream = Upstream()
    upstream.failing = False
    here.call(upstream)
    before = redis_client.commands
    for _ in range(10):
        here.call(upstream)
    assert redis_client.commands == before
    upstream.failing = True
    with pytest.raises(ConnectionError):
        here.call(upstream)
    assert redis_client.commands == before + 1  # the failure, counted in Redis at once
    upstream.failing = False
    here.call(upstream)
    assert redis_client.commands == before + 2  # the success that resets it


def test_another_process_sees_a_change_after_the_refresh(shared, monkeypatch):
    _, (here, there) = shared
    monkeypatch.setattr(breaker, "REFRESH_SECONDS", 3600.0)
    assert there.current_state == pybreaker.STATE_CLOSED  # read now; kept for an hour
    here.open()
    assert there.current_state == pybreaker.STATE_CLOSED
    monkeypatch.setattr(breaker, "REFRESH_SECONDS", 0.0)
    assert there.current_state == pybreaker.STATE_OPEN


def test_while_redis_is_down_the_breaker_goes_on_in_this_process(shared):
    redis_client, (here, _) = shared
    redis_client.down = True
    upstream = Upstream()
    for _ in range(2):
        with pytest.raises(ConnectionError):
            here.call(upstream)
    with pytest.raises(pybreaker.CircuitBreakerError):
        here.call(upstream)
    assert upstream.calls == 2
    redis_client.down = False
