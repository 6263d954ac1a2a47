"""`make bench`: the shop's performance figures, monolith and split side by side (docs/benchmarks.md)."""

BARE_PRODUCT_PATH = "bench/bare/products"  # bench.urls: the selector's query and JsonResponse, no DRF
BARE_VALUES_PATH = "bench/bare-values/products"  # bench.urls: the same row as a dict, no model instance
EMPTY_PATH = "bench/empty"  # bench.urls: a view that returns {} at once, in every role
BARE_ORDERS_PATH = "bench/bare/orders"  # bench.bare_orders: POST /orders's SQL statements without the framework
