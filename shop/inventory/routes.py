"""The inventory's routes: declared once, derived into URLconfs, the gateway table and the API root."""
from shop.platform.config.routes import Route

ROUTES = (
    Route("inventory/<id:product_id>", "api.StockApi", "stock", link="inventory"),
    Route("internal/inventory/stock/<id:product_id>", "internal.StockInternalApi", "internal-stock", public=False,
          callers=("catalog",)),  # seed_demo stocks the products it creates
    Route("internal/inventory/reservations", "internal.ReservationsApi", "internal-reservations", public=False,
          callers=("orders",)),
    Route("internal/inventory/reservations/<id:order_id>/release", "internal.ReleaseApi", "internal-release",
          public=False, callers=("orders",)),
)
