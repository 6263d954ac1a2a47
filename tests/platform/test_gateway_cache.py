"""The gateway's stale-read cache is best effort: its outage never fails a request."""
import pytest
from django.test import RequestFactory

from shop.platform import gateway


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("cache down")

    get = set


@pytest.fixture
def view(monkeypatch):
    monkeypatch.setattr(gateway, "cache", BrokenCache())
    gateway._written.clear()
    return gateway.ProxyView(upstream="catalog", stale_fallback=True)


def test_storing_a_fallback_copy_survives_a_cache_outage(view):
    view.remember("/products/1", b'{"id": 1}', "application/json")  # must not raise


def test_no_stale_copy_when_the_cache_is_down(view):
    assert view.stale_response(RequestFactory().get("/products/1")) is None


def test_the_fallback_key_includes_the_query(view):
    """?search=, ?ordering= and the price filters each have their own last good answer."""
    keys = {view._cache_key(path) for path in ("/products", "/products?search=lamp", "/products?search=mug",
                                                "/products?ordering=-price", "/products?min_price=1")}
    assert len(keys) == 5
