"""The gateway's stale-read cache is best effort: its outage never fails a request."""
import pytest
from django.test import RequestFactory

from shop.platform import fallback, gateway


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("cache down")

    get = set


@pytest.fixture
def view(monkeypatch):
    monkeypatch.setattr(fallback, "caches", {fallback.CACHE_ALIAS: BrokenCache()})
    gateway._written.clear()
    return gateway.ProxyView(upstream="catalog", stale_fallback=True)


def test_storing_a_fallback_copy_survives_a_cache_outage(view):
    view.remember(RequestFactory().get("/products/1"), b'{"id": 1}', "application/json")  # must not raise


def test_no_stale_copy_when_the_cache_is_down(view):
    assert view.stale_response(RequestFactory().get("/products/1")) is None
