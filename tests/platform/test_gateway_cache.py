"""The gateway's stale-read cache is best effort: its outage never fails a request."""
import pytest
from django.core.cache import caches
from django.test import RequestFactory

from shop.gateway import fallback
from shop.gateway.last_good import MEMO_ALIAS, LastGood

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
    caches[MEMO_ALIAS].clear()


def test_storing_a_fallback_copy_survives_a_cache_outage(broken_cache):
    LastGood("catalog").remember(read("/products/1"), b'{"id": 1}', JSON)  # must not raise


def test_no_stale_copy_when_the_cache_is_down(broken_cache):
    assert LastGood("catalog").response(read("/products/1")) is None


def test_a_good_answer_is_served_back_marked_stale():
    caches[MEMO_ALIAS].clear()
    caches[fallback.CACHE_ALIAS].clear()
    LastGood("catalog").remember(read("/products/7?page=1"), b'{"id": 7}', JSON)
    stale = LastGood("catalog").response(read("/products/7/"))  # the same read, normalised
    assert (stale.status_code, stale.content, stale["X-Shop-Stale"]) == (200, b'{"id": 7}', "1")
    assert stale["Content-Type"] == JSON
    assert LastGood("orders").response(read("/products/7?x=1")) is None


def test_each_catalog_query_has_its_own_last_good_answer():
    """?search=, ?ordering= and the price filters are part of the fallback key."""
    caches[MEMO_ALIAS].clear()
    caches[fallback.CACHE_ALIAS].clear()
    queries = ("/products", "/products?search=lamp", "/products?search=mug", "/products?ordering=-price",
               "/products?min_price=1")
    for query in queries:
        LastGood("catalog").remember(read(query), query.encode(), JSON)
    assert [LastGood("catalog").response(read(query)).content for query in queries] == [q.encode() for q in queries]
