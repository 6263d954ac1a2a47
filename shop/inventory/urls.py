from shop.inventory import api, internal
from shop.platform.routes import routes

urlpatterns = routes(
    ("inventory/<id:product_id>", api.StockApi.as_view(), "stock"),
    ("internal/inventory/stock/<id:product_id>", internal.StockInternalApi.as_view(), "internal-stock"),
    ("internal/inventory/reservations", internal.ReservationsApi.as_view(), "internal-reservations"),
    ("internal/inventory/reservations/<id:order_id>/release", internal.ReleaseApi.as_view(), "internal-release"),
)
