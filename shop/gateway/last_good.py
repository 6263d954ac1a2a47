"""The gateway's stale fallback: the last good answer to a GET, kept in the bounded fallback store
(shop/gateway/fallback.py: Redis when SHOP_REDIS_URL is set), served marked stale while its upstream
is unavailable."""
import hashlib
import logging
import time

from django.core.cache import caches
from django.http import HttpResponse

from shop.gateway import fallback

logger = logging.getLogger(__name__)
STALE_HEADER = "X-Shop-Stale"
REFRESH = 60.0  # seconds: an unchanged last good answer is written again at most this often
MEMO_ALIAS = "gateway-memo"  # this process's memory of what it wrote: digests only, bounded in bytes (settings.CACHES)


class LastGood:
    """Last good answers of one upstream, keyed by the read's normalised key (fallback.key_of)."""

    def __init__(self, upstream: str):
        self.upstream = upstream

    def remember(self, request, body: bytes, content_type: str) -> None:
        """Stores a good answer. A changed body is written at once; one this process wrote less than REFRESH
        seconds ago is not written again, since every write may be a round trip to Redis. So the fallback is
        this process's last good answer, or another process's up to REFRESH seconds older. The memo of what
        was written holds digests of the key and body, and only answers the store kept."""
        key = fallback.key_of(self.upstream, request)
        if key is None:
            return
        memo, memo_key = caches[MEMO_ALIAS], hashlib.sha256(key.encode()).hexdigest()
        digest, now = hashlib.sha256(body).digest(), time.monotonic()
        last = memo.get(memo_key)
        if last is not None and last[0] == digest and now - last[1] < REFRESH:
            return
        try:
            kept = fallback.store(key, body, content_type)
        except Exception:  # a cache outage must not fail a good response
            logger.warning("gateway: could not store the fallback copy of %s", request.path, exc_info=True)
            return
        if kept:
            memo.set(memo_key, (digest, now), timeout=None)

    def response(self, request) -> HttpResponse | None:
        """The last good answer to this read, marked stale; None when there is none or the cache is down."""
        key = fallback.key_of(self.upstream, request)
        try:
            kept = fallback.load(key) if key is not None else None
        except Exception:  # no cache, no fallback: the caller gets the upstream's error
            logger.warning("gateway: fallback cache unavailable", exc_info=True)
            return None
        if kept is None:
            return None
        logger.warning("gateway: %s unavailable, serving the last good %s", self.upstream, request.path)
        response = HttpResponse(kept[0], status=200, content_type=kept[1])
        response[STALE_HEADER] = "1"
        return response
