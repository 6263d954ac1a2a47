"""The DATABASES and CACHES entries of a role, built from its environment: one database per app (a SQLite
file by default), and caches in Redis when there is one, else in this process's memory, bounded in bytes."""
import sys
from pathlib import Path

import environ


def database(env: environ.Env, app: str, *, data_dir: Path) -> dict:
    """The app's own database: `<APP>_DATABASE_URL`, else a SQLite file under data_dir."""
    config = env.db_url(f"{app.upper()}_DATABASE_URL", default=f"sqlite:///{data_dir / f'{app}.sqlite3'}")
    config["TEST"] = {"DEPENDENCIES": []}  # no alias depends on the unused "default"
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Writers queue on the lock (IMMEDIATE + busy timeout) instead of failing mid-transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # runserver starts a thread per request, so persistent connections would only pile up there.
        config["CONN_MAX_AGE"] = 0 if "runserver" in sys.argv else env.int("SHOP_DB_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def cache(name: str, *, redis_url: str, key_prefix: str, max_mb: int, serializer: str | None = None) -> dict:
    """Redis when `redis_url` is set (optionally with its own serializer), else this process's memory,
    at most `max_mb` MiB of it."""
    if not redis_url:
        return memory(name, max_bytes=max_mb * 1024 * 1024)
    options = {"socket_timeout": 0.2, "socket_connect_timeout": 0.2, **({"serializer": serializer} if serializer else {})}
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": key_prefix,
            "OPTIONS": options}


def memory(name: str, *, max_bytes: int) -> dict:
    """A cache in this process's memory, bounded in bytes (shop.platform.config.memory)."""
    return {"BACKEND": "shop.platform.config.memory.BoundedMemoryCache", "LOCATION": name,
            "OPTIONS": {"MAX_BYTES": max_bytes}}
