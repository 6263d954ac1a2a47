"""The DATABASES and CACHES entries of a role, built from its environment: one database per app (a SQLite
file by default), and caches in Redis when there is one, else in files every process of the host sees, or
in this process's memory, bounded in bytes."""
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


SHARED_FILES_MAX_ENTRIES = 50_000  # then a third of the files go (Django's FileBasedCache culling)


def cache(name: str, *, redis_url: str, key_prefix: str, max_mb: int, serializer: str | None = None,
          shared_dir: Path | None = None) -> dict:
    """Redis when `redis_url` is set (optionally with its own serializer); else files under `shared_dir`,
    which every worker of the role (and every role on the host) sees, when it is given; else this process's
    memory, at most `max_mb` MiB of it, which each web worker has its own of."""
    if not redis_url and shared_dir:
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(shared_dir / name), "KEY_PREFIX": key_prefix,
                "OPTIONS": {"MAX_ENTRIES": SHARED_FILES_MAX_ENTRIES}}
    if not redis_url:
        return memory(name, max_bytes=max_mb * 1024 * 1024)
    options = {"socket_timeout": 0.2, "socket_connect_timeout": 0.2, **({"serializer": serializer} if serializer else {})}
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": key_prefix,
            "OPTIONS": options}


def memory(name: str, *, max_bytes: int) -> dict:
    """A cache in this process's memory, bounded in bytes (shop.platform.config.memory)."""
    return {"BACKEND": "shop.platform.config.memory.BoundedMemoryCache", "LOCATION": name,
            "OPTIONS": {"MAX_BYTES": max_bytes}}
