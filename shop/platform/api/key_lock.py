"""Who is running an idempotency key right now: a PostgreSQL advisory lock held by the running
request's database session. It ends with the request, or with the session when the process dies, so
a claim left by a dead process is free at once. Other databases have no such lock."""
import hashlib
from contextlib import contextmanager, suppress

from django.db import DatabaseError, connections, router


def lock_id(record_model, *, user_id: int, key: str) -> int:
    digest = hashlib.sha256(f"{record_model._meta.db_table}:{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def running(record_model, *, user_id: int, key: str):
    """Yields True while this request holds the key's lock, False when a live request holds it, None
    when the database has no advisory locks (then only a claim's age tells a dead claim)."""
    connection = connections[router.db_for_write(record_model)]
    if connection.vendor != "postgresql":
        yield None
        return
    lock = lock_id(record_model, user_id=user_id, key=key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:  # a connection that died meanwhile took the lock with it
            with suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
