"""The catalog's routes: declared once, derived into URLconfs, the gateway table and the API root."""
from shop.platform.config.routes import Route

ROUTES = (
    Route("products", "api.ProductListApi", "product-list", link="products"),
    Route("products/<id:product_id>", "api.ProductDetailApi", "product-detail"),
    Route("internal/catalog/products", "internal.ProductsByIdsApi", "internal-products", public=False,
          callers=("orders", "inventory")),  # pricing an order; stocking a product
)
