"""Inventory tasks, on the inventory queue; safe to run more than once, retried until they succeed."""
from celery import shared_task

from shop.inventory import schedule, services
from shop.inventory.reconcile import stock_reconcile
from shop.inventory.client import STOCK_COMMIT_TASK, STOCK_RELEASE_TASK
from shop.inventory.models import StockDeadLetter
from shop.platform.messaging.retried import RetriedTask


@shared_task(name=STOCK_COMMIT_TASK, base=RetriedTask, dead_letter_model=StockDeadLetter)
def stock_commit(*, order_id: int) -> int:
    return services.stock_commit(order_id=order_id)


@shared_task(name=STOCK_RELEASE_TASK, base=RetriedTask, dead_letter_model=StockDeadLetter)
def stock_release(*, order_id: int) -> int:
    return services.stock_release(order_id=order_id)


@shared_task(name=schedule.RECONCILE_STOCK)
def reconcile_stock() -> dict:
    return dict(stock_reconcile())
