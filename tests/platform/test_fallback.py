"""The gateway's stale fallback store: normalised keys, a bounded size, JSON values."""
import json

from urllib.parse import quote, quote_from_bytes

import pytest
from django.core.cache import caches
from django.test import RequestFactory, override_settings
from hypothesis import given, settings, strategies as st

from shop.gateway import fallback
from shop.gateway.last_good import MEMO_ALIAS
from tests.role_process import run_in_role

JSON = "application/json"


def key(path: str, **headers) -> str | None:
    return fallback.key_of("catalog", RequestFactory().get(path, headers=headers))


@pytest.fixture(autouse=True)
def empty_store():
    caches[fallback.CACHE_ALIAS].clear()


@pytest.mark.parametrize("variant", ["/products/?page=01&page_size=500", "/products?page=1&page_size=1000",
                                     "/products?page_size=100&format=json&page=1"])
def test_reads_with_the_same_answer_share_one_key(variant):
    assert key(variant) == key("/products?page=1&page_size=100")


@pytest.mark.parametrize("other", ["/products?page=2&page_size=100", "/products?page_size=99",
                                   "/products?page_size=100&format=api", "/products/1?page_size=100",
                                   "/products?page_size=100&search=lamp", "/products?page_size=100&ordering=-price",
                                   "/products?page_size=100&min_price=5"])
def test_reads_with_another_answer_have_another_key(other):
    assert key(other) != key("/products?page_size=100")


def test_a_missing_or_invalid_page_size_is_the_default_one():
    assert key("/products") == key("/products?page_size=abc") == key("/products?page_size=0") == key(
        "/products?page_size=20") == key("/products?page_size=%C2%B2")


def test_the_browsable_api_is_its_own_format():
    assert key("/products", accept="text/html,*/*") == key("/products?format=api") != key("/products")


@pytest.mark.parametrize("path", ["/products?page=0", "/products?page=abc", "/products?page=" + "9" * 5000,
                                  "/products?format=xml", "/products?page=%C2%B2", "/products?page=%D9%A3",
                                  "/products?search=" + "x" * 5000])
def test_reads_that_cannot_have_a_good_answer_have_no_key(path):
    assert key(path) is None


def test_an_answer_is_kept_and_found_by_any_equivalent_read():
    fallback.store(key("/products?page=1"), b'{"count": 1}', JSON)
    assert fallback.load(key("/products/?page=01&page_size=20")) == (b'{"count": 1}', JSON)


@pytest.mark.parametrize("body, content_type", [(b"x" * (fallback.MAX_ENTRY_BYTES + 1), JSON),
                                                (b"<html></html>", "text/html"), (b"\xff\xfe", JSON)])
def test_oversized_mismatched_or_binary_answers_are_not_kept(body, content_type):
    fallback.store(key("/products"), body, content_type)
    assert fallback.load(key("/products")) is None


@override_settings(SHOP_FALLBACK_CACHE_MB=1)
def test_the_store_never_holds_more_than_its_slots():
    slots = fallback.slot_count()
    assert slots == 1024 * 1024 // fallback.MAX_ENTRY_BYTES
    keys = [key(f"/products/{product_id}") for product_id in range(1, 200)]
    for each in keys:
        fallback.store(each, b"{}", JSON)
    kept = [each for each in keys if fallback.load(each) is not None]
    assert 1 <= len(kept) <= slots
    assert fallback.load(keys[-1]) == (b"{}", JSON)  # the latest answer of a slot wins


def test_values_in_redis_are_json():
    serializer = fallback.JsonSerializer()
    entry = {"key": "k", "body": '{"id": 1}', "content_type": JSON}
    assert json.loads(serializer.dumps(entry)) == entry == serializer.loads(serializer.dumps(entry))
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1",
             "OPTIONS": {"serializer": "shop.gateway.fallback.JsonSerializer"}}
    with override_settings(CACHES={"default": redis, fallback.CACHE_ALIAS: redis}):
        assert isinstance(caches[fallback.CACHE_ALIAS]._cache._serializer, fallback.JsonSerializer)


def test_with_redis_the_settings_give_the_fallback_cache_the_json_serializer(tmp_path):
    code = "import json; from django.conf import settings; print(json.dumps(settings.CACHES))"
    caches_config = run_in_role("monolith", code, tmp_path, timeout=60, SHOP_REDIS_URL="redis://127.0.0.1:6379/0",
                                SHOP_NAMESPACE="shop-")
    assert {alias: config["LOCATION"] for alias, config in caches_config.items()} == {
        "default": "redis://127.0.0.1:6379/0", fallback.CACHE_ALIAS: "redis://127.0.0.1:6379/0",
        MEMO_ALIAS: MEMO_ALIAS}  # the gateway's memo stays in each process's memory
    assert caches_config[fallback.CACHE_ALIAS]["KEY_PREFIX"] == "shop-"
    assert caches_config[fallback.CACHE_ALIAS]["OPTIONS"]["serializer"] == "shop.gateway.fallback.JsonSerializer"
    assert "serializer" not in caches_config["default"]["OPTIONS"]


@settings(max_examples=300, deadline=None)
@given(query=st.lists(st.tuples(st.sampled_from(["page", "page_size", "format", "search", "x"]),
                                st.one_of(st.text(alphabet=st.characters(categories=["Nd", "No"]), max_size=12).map(quote),
                                          st.binary(max_size=30).map(quote_from_bytes))), max_size=4))
def test_any_query_has_a_key_or_none_never_an_error(query):
    """The key function runs on every GET the gateway forwards: a 5xx here would fail good answers."""
    made = key("/products?" + "&".join(f"{name}={value}" for name, value in query))
    assert made is None or len(made.encode()) <= fallback.MAX_KEY_BYTES
