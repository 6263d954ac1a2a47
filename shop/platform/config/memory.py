"""A cache in this process's memory bounded in bytes (Django's LocMemCache is bounded only in entries):
the store of every cache alias when there is no Redis, and of the gateway's memo always.

Each entry costs its key's and its pickled value's length plus a fixed overhead; when a write would pass
OPTIONS["MAX_BYTES"], the least recently used entries are evicted first. A value larger than the whole
bound is not kept."""
import pickle
import threading
import time
from collections import OrderedDict

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

ENTRY_OVERHEAD = 200  # bytes an entry costs beyond its key and value: the dict slot, the tuple, the float


class BoundedMemoryCache(BaseCache):
    """LOCATION names the store: aliases with the same LOCATION share it, within one process."""

    _stores: dict[str, "_Store"] = {}
    _stores_lock = threading.Lock()

    def __init__(self, location: str, params: dict):
        super().__init__(params)
        max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 16 * 1024 * 1024))
        with self._stores_lock:
            self._store = self._stores.setdefault(location, _Store(max_bytes))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._store.put(key, pickle.dumps(value), self.get_backend_timeout(timeout), only_new=True)

    def get(self, key, default=None, version=None):
        found = self._store.get(self.make_and_validate_key(key, version=version))
        return default if found is None else pickle.loads(found)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        self._store.put(key, pickle.dumps(value), self.get_backend_timeout(timeout))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._store.touch(key, self.get_backend_timeout(timeout))

    def delete(self, key, version=None) -> bool:
        return self._store.delete(self.make_and_validate_key(key, version=version))

    def clear(self) -> None:
        self._store.clear()


class _Store:
    """key -> (pickled value, expiry or None), most recently used last, with their total cost in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.used = max_bytes, 0
        self.entries: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def cost(key: str, value: bytes) -> int:
        return len(key.encode()) + len(value) + ENTRY_OVERHEAD

    def _live(self, key: str) -> tuple[bytes, float | None] | None:
        entry = self.entries.get(key)
        if entry is not None and entry[1] is not None and entry[1] <= time.time():
            self._drop(key)
            return None
        return entry

    def _drop(self, key: str) -> None:
        value, _ = self.entries.pop(key)
        self.used -= self.cost(key, value)

    def get(self, key: str) -> bytes | None:
        with self.lock:
            entry = self._live(key)
            if entry is None:
                return None
            self.entries.move_to_end(key)
            return entry[0]

    def put(self, key: str, value: bytes, expires: float | None, *, only_new: bool = False) -> bool:
        with self.lock:
            if self._live(key) is not None:
                if only_new:
                    return False
                self._drop(key)
            cost = self.cost(key, value)
            if cost > self.max_bytes or (expires is not None and expires <= time.time()):
                return False
            while self.used + cost > self.max_bytes:
                self._drop(next(iter(self.entries)))  # the least recently used
            self.entries[key] = (value, expires)
            self.used += cost
            return True

    def touch(self, key: str, expires: float | None) -> bool:
        with self.lock:
            entry = self._live(key)
            if entry is None:
                return False
            self.entries[key] = (entry[0], expires)
            return True

    def delete(self, key: str) -> bool:
        with self.lock:
            if key not in self.entries:
                return False
            self._drop(key)
            return True

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.used = 0
