"""The database that holds a model's table, as the router (shop/routers.py) decides: transactions on it,
and cleanup writes that must land even when the connection they would use has just died."""
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
