"""The orders app's task names and periodic schedule: declared once, read by tasks.py and by settings."""
from shop.platform.messaging.periodic import Periodic

EXPIRE_PENDING = "orders.expire_pending"
RECOVER_PAYMENTS = "orders.recover_payments"
RELAY_OUTBOX = "orders.relay_outbox"
PURGE_OUTBOX = "orders.purge_outbox"
PURGE_IDEMPOTENCY_KEYS = "orders.purge_idempotency_keys"

PERIODIC = (
    Periodic("orders-expire-pending", EXPIRE_PENDING, 30.0, env="SHOP_EXPIRY_INTERVAL", backstop=True),
    Periodic("orders-recover-payments", RECOVER_PAYMENTS, 30.0, env="SHOP_EXPIRY_INTERVAL", backstop=True),
    Periodic("orders-relay-outbox", RELAY_OUTBOX, 10.0, env="SHOP_RELAY_INTERVAL"),
    Periodic("orders-purge-idempotency", PURGE_IDEMPOTENCY_KEYS, 3600.0),
    Periodic("orders-purge-outbox", PURGE_OUTBOX, 3600.0),
)
