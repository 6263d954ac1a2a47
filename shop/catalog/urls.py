from shop.catalog import api, internal
from shop.platform.routes import routes

urlpatterns = routes(
    ("products", api.ProductListApi.as_view(), "product-list"),
    ("products/<id:pk>", api.ProductDetailApi.as_view(), "product-detail"),
    ("internal/catalog/products", internal.ProductsByIdsApi.as_view(), "internal-products"),
)
