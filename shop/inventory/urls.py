from shop.inventory import api
from shop.platform.routes import route

urlpatterns = [
    route(r"inventory/(?P<product_id>[0-9]{1,18})", api.StockApi.as_view(), "stock"),
]
