"""The inventory's periodic schedule: declared once, read by tasks.py and by settings. The task names
other apps send (stock commit and release) are in its door, shop/inventory/client."""
from shop.platform.messaging.periodic import Periodic

RECONCILE_STOCK = "inventory.reconcile_stock"

PERIODIC = (
    Periodic("inventory-reconcile", RECONCILE_STOCK, 60.0, env="SHOP_RECONCILE_INTERVAL", backstop=True),
)
