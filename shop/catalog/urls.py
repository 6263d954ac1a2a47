from shop.catalog import api, internal
from shop.platform.routes import route

urlpatterns = [
    route("products", api.ProductListApi.as_view(), "product-list"),
    route(r"products/(?P<pk>[0-9]{1,18})", api.ProductDetailApi.as_view(), "product-detail"),
    route("internal/catalog/products", internal.ProductsByIdsApi.as_view(), "internal-products"),
]
