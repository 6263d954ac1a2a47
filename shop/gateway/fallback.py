"""The gateway's stale fallback store: the last good answer of each read, bounded whatever clients ask.

Keys are normalised to what changes the answer: the upstream, the path, the pagination parameters, the
rendered format and every other query parameter (search, ordering, filters), sorted. The store is a fixed set
of hashed slots in the `fallback` cache, each holding one answer of at most MAX_ENTRY_BYTES with its key, so
its total size is bounded by SHOP_FALLBACK_CACHE_MB (in memory, the cache itself is bounded in bytes too); in
Redis values are JSON, never pickle. A read whose key passes MAX_KEY_BYTES has no fallback."""
import hashlib
import json
import re
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.http import QueryDict

from shop.platform.api.pagination import PageNumberPagination

CACHE_ALIAS = "fallback"
MAX_ENTRY_BYTES = 256 * 1024  # an answer with its key
MAX_KEY_BYTES = 2048  # a read with a longer key (a long query) has no fallback
TTL_SECONDS = 24 * 3600
FORMATS = {"json": "application/json", "api": "text/html"}  # DRF's ?format= names -> rendered media type
# Parameters put in the key apart; every other one (search, ordering, filters) goes in as sent.
_NORMALISED = ("page", "page_size", "format")
DIGITS = re.compile(r"[0-9]{1,9}")


class JsonSerializer:
    """Serializer of the fallback cache's Redis client (Django's default pickles)."""

    def dumps(self, value) -> bytes:
        return json.dumps(value).encode()

    def loads(self, data: bytes):
        return json.loads(data)


def slot_count() -> int:
    return max(1, settings.SHOP_FALLBACK_CACHE_MB * 1024 * 1024 // MAX_ENTRY_BYTES)


def key_of(upstream: str, request) -> str | None:
    """The normalised key of a read, or None when the read cannot have a good answer worth keeping."""
    query = request.GET if request.META.get("QUERY_STRING") else no_query()  # most reads: parse nothing
    page, size = query.get("page", "1"), query.get("page_size")
    if not _small_positive(page):
        return None
    pagination = PageNumberPagination
    # what the services use: the size capped, the default for a missing or invalid one
    size = min(int(size), pagination.max_page_size) if _small_positive(size) else pagination.page_size
    rendered = rendered_format(request, query)
    if rendered is None:
        return None
    filters = sorted((name, value) for name, values in query.lists() if name not in _NORMALISED for value in values)
    key = f"{upstream} {request.path_info.rstrip('/')} page={int(page)} size={size} {filters} format={rendered}"
    return key if len(key.encode()) <= MAX_KEY_BYTES else None


@cache
def no_query() -> QueryDict:
    return QueryDict()


def _small_positive(value: str | None) -> bool:
    """1 to 9 ASCII digits, not zero: str.isdigit() would pass "²", which int() refuses."""
    return value is not None and DIGITS.fullmatch(value) is not None and int(value) > 0


def rendered_format(request, query: QueryDict) -> str | None:
    """The format the services will render: ?format= if known, else the browsable API for browsers."""
    requested = query.get("format")
    if requested is not None:
        return requested if requested in FORMATS else None
    return "api" if "text/html" in request.META.get("HTTP_ACCEPT", "") else "json"


def store(key: str, body: bytes, content_type: str) -> bool:
    """Keeps an answer when it is text of the format in its key and fits a slot with its key; True when kept.
    May raise on a cache outage."""
    if not content_type.startswith(FORMATS[key.rpartition("format=")[2]]) or \
            len(body) + len(key.encode()) > MAX_ENTRY_BYTES:
        return False
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return False
    caches[CACHE_ALIAS].set(_slot(key), {"key": key, "body": text, "content_type": content_type}, TTL_SECONDS)
    return True


def load(key: str) -> tuple[bytes, str] | None:
    """The kept (body, content type) for the key, or None. May raise on a cache outage."""
    entry = caches[CACHE_ALIAS].get(_slot(key))
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None  # never kept, expired, or the slot now holds another key
    return entry["body"].encode(), entry["content_type"]


def _slot(key: str) -> str:
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return f"gateway:fallback:{digest % slot_count()}"
