"""The gateway's stale fallback: the last good answer to a GET, kept in the Django cache (Redis when
SHOP_REDIS_URL is set), served marked stale while its upstream is unavailable."""
import logging
import threading
import time

from django.core.cache import cache
from django.http import HttpResponse

logger = logging.getLogger(__name__)
STALE_HEADER = "X-Shop-Stale"
TTL = 24 * 3600  # seconds a last good answer is kept
REFRESH = 60.0  # seconds: an unchanged last good answer is written again at most this often
MEMO_SIZE = 4096  # paths whose last written body this process remembers


class LastGood:
    """Last good answers of one upstream, keyed by path and query."""

    _written: dict[tuple[str, str], tuple[bytes, float]] = {}  # (upstream, path) -> body, when written; all threads
    _lock = threading.Lock()

    def __init__(self, upstream: str):
        self.upstream = upstream

    def remember(self, path: str, body: bytes, content_type: str | None) -> None:
        """Stores a good answer. A changed body is written at once; one this process wrote less than REFRESH
        seconds ago is not written again, since every write may be a round trip to Redis. So the fallback is
        this process's last good answer, or another process's up to REFRESH seconds older."""
        key, now = (self.upstream, path), time.monotonic()
        with self._lock:
            last = self._written.get(key)
        if last is not None and last[0] == body and now - last[1] < REFRESH:
            return
        try:
            cache.set(self._cache_key(path), (body, content_type), TTL)
        except Exception:  # a cache outage must not fail a good response
            logger.warning("gateway: could not store the fallback copy of %s", path, exc_info=True)
            return
        with self._lock:
            if len(self._written) >= MEMO_SIZE:
                self._written.clear()
            self._written[key] = (body, now)

    def response(self, path: str) -> HttpResponse | None:
        """The last good answer for `path`, marked stale; None when there is none or the cache is down."""
        try:
            cached = cache.get(self._cache_key(path))
        except Exception:  # no cache, no fallback: the caller gets the upstream's error
            logger.warning("gateway: fallback cache unavailable", exc_info=True)
            return None
        if cached is None:
            return None
        logger.warning("gateway: %s unavailable, serving the last good %s", self.upstream, path)
        response = HttpResponse(cached[0], status=200, content_type=cached[1])
        response[STALE_HEADER] = "1"
        return response

    @classmethod
    def forget_all(cls) -> None:
        with cls._lock:
            cls._written.clear()

    def _cache_key(self, path: str) -> str:
        return f"gateway:last-good:{self.upstream}:{path}"
