"""Inventory tasks, on the inventory queue; safe to run more than once."""
from celery import shared_task

from shop.inventory import services
from shop.inventory.client import STOCK_COMMIT_TASK, STOCK_RELEASE_TASK


@shared_task(name=STOCK_COMMIT_TASK)
def stock_commit(*, order_id: int) -> int:
    return services.stock_commit(order_id=order_id)


@shared_task(name=STOCK_RELEASE_TASK)
def stock_release(*, order_id: int) -> int:
    return services.stock_release(order_id=order_id)
