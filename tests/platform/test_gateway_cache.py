"""The gateway's stale-read cache is best effort: its outage never fails a request."""
import pytest
from django.core.cache import caches
from django.test import RequestFactory

from shop.platform import fallback
from shop.platform.last_good import LastGood

JSON = "application/json"


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("cache down")

    get = set


def read(path: str):
    return RequestFactory().get(path)


@pytest.fixture
def broken_cache(monkeypatch):
    monkeypatch.setattr(fallback, "caches", {fallback.CACHE_ALIAS: BrokenCache()})
    LastGood.forget_all()


def test_storing_a_fallback_copy_survives_a_cache_outage(broken_cache):
    LastGood("catalog").remember(read("/products/1"), b'{"id": 1}', JSON)  # must not raise


def test_no_stale_copy_when_the_cache_is_down(broken_cache):
    assert LastGood("catalog").response(read("/products/1")) is None


def test_a_good_answer_is_served_back_marked_stale():
    LastGood.forget_all()
    caches[fallback.CACHE_ALIAS].clear()
    LastGood("catalog").remember(read("/products/7?x=1"), b'{"id": 7}', JSON)
    stale = LastGood("catalog").response(read("/products/7/"))  # the same read, normalised
    assert (stale.status_code, stale.content, stale["X-Shop-Stale"]) == (200, b'{"id": 7}', "1")
    assert stale["Content-Type"] == JSON
    assert LastGood("orders").response(read("/products/7?x=1")) is None
