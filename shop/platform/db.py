"""The database that holds a model's table, as the router (shop/routers.py) decides: transactions on it,
cleanup writes that must land even when the connection they would use has just died, and related rows
kept from a write so they are not read back."""
import logging
from typing import Callable, TypeVar

from django.db import DatabaseError, connections, router, transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")


def atomic(model):
    """`transaction.atomic` on `model`'s alias: services name a model, never an alias string."""
    return transaction.atomic(using=router.db_for_write(model))


def on_a_live_connection(model, write: Callable[[], T]) -> T:
    """Runs `write`; if the connection to `model`'s database failed, closes it and runs `write` once more
    on a new one. For compensating writes (undo a half-done request), never inside an open transaction."""
    try:
        return write()
    except DatabaseError:
        alias = router.db_for_write(model)
        logger.warning("database %s: connection failed during a cleanup; retrying on a new one", alias,
                       exc_info=True)
        connections[alias].close()
        return write()


def show_related(instance, related_name: str, objects: list) -> None:
    """Makes `instance.<related_name>.all()` answer `objects` without a query, as prefetch_related() would.

    The one adapter over Django internals in the shop: no public API fills a prefetch cache with rows in
    hand, so this sets the queryset's result cache and the instance's prefetch cache as Django's own
    prefetch does. tests/platform/test_db.py fails as soon as a Django release stores them otherwise."""
    cached = getattr(instance, related_name).all()
    cached._result_cache, cached._prefetch_done = list(objects), True
    instance._prefetched_objects_cache = {**getattr(instance, "_prefetched_objects_cache", {}), related_name: cached}
