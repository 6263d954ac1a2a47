from shop.orders import api, internal
from shop.platform.routes import route

ORDER = r"orders/(?P<pk>[0-9]{1,18})"
urlpatterns = [
    route("orders", api.OrderListApi.as_view(), "order-list"),
    route(ORDER, api.OrderDetailApi.as_view(), "order-detail"),
    route(rf"{ORDER}/pay", api.OrderPayApi.as_view(), "order-pay"),
    route(rf"{ORDER}/cancel", api.OrderCancelApi.as_view(), "order-cancel"),
]
urlpatterns.append(route(r"internal/orders/(?P<pk>[0-9]{1,18})", internal.OrderInternalApi.as_view(), "internal-order"))
