"""A lease in Redis: at most one holder at a time acts (the one beat of a shop, even while two topologies run
side by side on the same Redis). The holder renews it well inside its time to live; a holder that stops
renewing (crashed, partitioned) loses it when it expires, and another takes over."""
import logging
import uuid

import redis
from redis.exceptions import LockError

logger = logging.getLogger(__name__)


class Lease:
    """`Lease(redis_client, "shop:beat", ttl=30)`; `hold()` before each act, `release()` when done."""

    def __init__(self, client: redis.Redis, name: str, *, ttl: float):
        self.name, self.ttl, self.held = name, ttl, False
        self.holder = uuid.uuid4().hex  # this process's token: only it can renew or release what it holds
        self._lock = client.lock(name, timeout=ttl, blocking=False, thread_local=False)

    def hold(self) -> bool:
        """Whether this holder has the lease now: takes it when free, renews it for `ttl` when held. Any doubt
        (lost to another holder, Redis unreachable) answers False: better no act than two."""
        try:
            if self.held:
                self._lock.reacquire()
            else:
                self.held = self._lock.acquire(blocking=False, token=self.holder)
                if self.held:
                    logger.info("took the lease %s", self.name)
        except LockError:
            logger.warning("lost the lease %s: it expired before it was renewed", self.name)
            self.held = False
        except redis.RedisError as exc:
            logger.warning("cannot renew the lease %s (%s): standing by", self.name, exc)
            self.held = False
        return self.held

    def release(self) -> None:
        """Hands the lease over at once (a clean stop), rather than after `ttl`."""
        if self.held:
            self.held = False
            try:
                self._lock.release()
            except (LockError, redis.RedisError):
                pass  # expired already, or Redis gone: it expires by itself
