"""The gateway's stale-read cache is best effort: its outage never fails a request."""
import pytest

from shop.platform import last_good
from shop.platform.last_good import LastGood


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("cache down")

    get = set


@pytest.fixture
def broken_cache(monkeypatch):
    monkeypatch.setattr(last_good, "cache", BrokenCache())
    LastGood.forget_all()


def test_storing_a_fallback_copy_survives_a_cache_outage(broken_cache):
    LastGood("catalog").remember("/products/1", b'{"id": 1}', "application/json")  # must not raise


def test_no_stale_copy_when_the_cache_is_down(broken_cache):
    assert LastGood("catalog").response("/products/1") is None


def test_a_good_answer_is_served_back_marked_stale():
    LastGood.forget_all()
    LastGood("catalog").remember("/products/7?x=1", b'{"id": 7}', "application/json")
    stale = LastGood("catalog").response("/products/7?x=1")
    assert (stale.status_code, stale.content, stale["X-Shop-Stale"]) == (200, b'{"id": 7}', "1")
    assert stale["Content-Type"] == "application/json"
    assert LastGood("orders").response("/products/7?x=1") is None
