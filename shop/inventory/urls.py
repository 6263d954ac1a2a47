from shop.inventory import api, internal
from shop.platform.routes import route

urlpatterns = [
    route(r"inventory/(?P<product_id>[0-9]{1,18})", api.StockApi.as_view(), "stock"),
    route(r"internal/inventory/stock/(?P<product_id>[0-9]{1,18})", internal.StockInternalApi.as_view(),
          "internal-stock"),
    route("internal/inventory/reservations", internal.ReservationsApi.as_view(), "internal-reservations"),
    route(r"internal/inventory/reservations/(?P<order_id>[0-9]{1,18})/release", internal.ReleaseApi.as_view(),
          "internal-release"),
]
