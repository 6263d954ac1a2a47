"""shop.platform.breaker: opens, fails fast, half-opens, and never serializes concurrent calls."""
import threading
import time

import pybreaker
import pytest

from shop.platform.breaker import Breaker, breaker_for


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
