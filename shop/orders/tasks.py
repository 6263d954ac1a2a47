"""Orders tasks, on the orders queue: reservation expiry, payment recovery, outbox relay and purge,
idempotency-key purge."""
from celery import shared_task
from django.conf import settings

from shop.orders import schedule, services
from shop.orders.models import OrderIdempotencyRecord, OrderOutbox
from shop.platform.api import idempotency
from shop.platform.messaging import outbox


@shared_task(name=schedule.EXPIRE_PENDING)
def expire_pending() -> int:
    return services.orders_expire()


@shared_task(name=schedule.RECOVER_PAYMENTS)
def recover_payments() -> int:
    return services.payments_recover()


@shared_task(name=schedule.RELAY_OUTBOX)
def relay_outbox() -> int:
    return outbox.relay(OrderOutbox)


@shared_task(name=schedule.PURGE_OUTBOX)
def purge_outbox() -> int:
    return outbox.purge_sent(OrderOutbox, retention_seconds=settings.SHOP_OUTBOX_RETENTION)


@shared_task(name=schedule.PURGE_IDEMPOTENCY_KEYS)
def purge_idempotency_keys() -> int:
    return idempotency.purge_expired(OrderIdempotencyRecord, ttl_seconds=settings.SHOP_IDEMPOTENCY_TTL)
