"""Every in-process store is bounded in bytes, whatever clients send: each is flooded with large, varied
keys and values, and the memory it keeps is measured (tracemalloc), not taken from its own count."""
import tracemalloc

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import RequestFactory

from shop.gateway import fallback
from shop.gateway.last_good import MEMO_ALIAS, LastGood

MiB = 1024 * 1024
SLACK = MiB // 2  # the interpreter's own bookkeeping while the flood runs


def kept_after(flood) -> int:
    """Bytes still allocated once `flood` has run (its garbage collected)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        flood()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def byte_bound(alias: str) -> int:
    return django_settings.CACHES.get(alias, {}).get("OPTIONS", {}).get("MAX_BYTES", 0)


@pytest.fixture
def empty_stores():
    for alias in django_settings.CACHES:  # the gateway's memo is one of them
        caches[alias].clear()
    yield
    for alias in django_settings.CACHES:
        caches[alias].clear()


def test_every_in_process_cache_has_a_byte_bound():
    """Without Redis a cache is in this process's memory, bounded in bytes, or in shared files (the throttles'
    counts), bounded in entries."""
    local = {alias: config for alias, config in django_settings.CACHES.items() if "redis" not in config["BACKEND"]}
    assert local, "the tests run without Redis"
    for alias, config in local.items():
        if config["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
            assert config["OPTIONS"]["MAX_ENTRIES"] > 0, alias
        else:
            assert config["BACKEND"] == "shop.platform.config.memory.BoundedMemoryCache", alias
            assert config["OPTIONS"]["MAX_BYTES"] > 0, alias
    assert any(config["BACKEND"].endswith("BoundedMemoryCache") for config in local.values())


def test_a_flood_of_large_reads_keeps_the_gateways_memo_and_fallback_within_their_bounds(empty_stores, settings):
    """Bodies too large for the fallback store, and bodies it accepts, each under another unknown query."""
    settings.SHOP_FALLBACK_CACHE_MB = 1

    def flood():
        for i in range(100):
            size = fallback.MAX_ENTRY_BYTES + 1024 if i % 2 else fallback.MAX_ENTRY_BYTES // 2
            request = RequestFactory().get(f"/products?junk{i}={'q' * (i * 20)}&n={i}")
            LastGood("catalog").remember(request, b'"%d' % i + b"y" * size + b'"', "application/json")

    bound = settings.SHOP_FALLBACK_CACHE_MB * MiB + byte_bound(MEMO_ALIAS)
    assert kept_after(flood) <= bound + SLACK


@pytest.mark.parametrize("alias", ["default", fallback.CACHE_ALIAS, MEMO_ALIAS])
def test_a_flood_of_large_varied_keys_keeps_a_cache_within_its_byte_bound(empty_stores, alias):
    cache = caches[alias]

    def flood():
        for i in range(300):
            cache.set(f"{i}-" + "k" * 200, {"body": f"{i}" + "v" * 100_000}, 3600)

    assert kept_after(flood) <= byte_bound(alias) + SLACK
    assert cache.get("299-" + "k" * 200) is not None  # the newest entry is kept: eviction, not refusal


def test_the_bounded_cache_keeps_the_cache_api():
    from shop.platform.config.memory import BoundedMemoryCache

    cache = BoundedMemoryCache("test-api", {"OPTIONS": {"MAX_BYTES": 4096}})
    cache.clear()
    assert cache.add("a", 1) and not cache.add("a", 2) and cache.get("a") == 1
    cache.set("b", [1, 2], timeout=0)  # expires at once: not kept
    assert cache.get("b", "gone") == "gone"
    assert cache.incr("a") == 2 and cache.touch("a", 60) and cache.delete("a") and not cache.has_key("a")
    cache.set("big", "x" * 5000)  # larger than the whole bound: not kept, nothing evicted for it
    assert cache.get("big") is None
    for i in range(100):
        cache.set(f"k{i}", "v" * 100)
    assert cache.get("k99") == "v" * 100 and cache.get("k0") is None  # the oldest went first
