from shop.orders import api, internal
from shop.platform.routes import routes

urlpatterns = routes(
    ("orders", api.OrderListApi.as_view(), "order-list"),
    ("orders/<id:pk>", api.OrderDetailApi.as_view(), "order-detail"),
    ("orders/<id:pk>/pay", api.OrderPayApi.as_view(), "order-pay"),
    ("orders/<id:pk>/cancel", api.OrderCancelApi.as_view(), "order-cancel"),
    ("internal/orders/<id:pk>", internal.OrderInternalApi.as_view(), "internal-order"),
    ("internal/orders/statuses", internal.OrderStatusesApi.as_view(), "internal-order-statuses"),
)
