"""The orders app's routes: declared once, derived into URLconfs, the gateway table and the API root."""
from shop.platform.config.routes import Route

ROUTES = (
    Route("orders", "api.OrderListApi", "order-list", link="orders"),
    Route("orders/<id:order_id>", "api.OrderDetailApi", "order-detail"),
    Route("orders/<id:order_id>/pay", "api.OrderPayApi", "order-pay"),
    Route("orders/<id:order_id>/cancel", "api.OrderCancelApi", "order-cancel"),
    Route("internal/orders/lookup", "internal.OrdersLookupApi", "internal-orders-lookup", public=False,
          callers=("inventory",)),  # its stock reconciler
)
