"""ROOT_URLCONF for benchmarks (DJANGO_ROOT_URLCONF=bench.urls): the role's usual routes, plus, where the
catalog lives, bare Django views reading the same product row as GET /products/<id>, without DRF, and in the
monolith a bare view running POST /orders's SQL statements (bench.bare_orders)."""
from django.apps import apps
from django.conf import settings
from django.http import HttpResponse, JsonResponse

from bench import BARE_ORDERS_PATH, BARE_PRODUCT_PATH, BARE_VALUES_PATH, EMPTY_PATH
from bench.bare_orders import bare_place_order
from shop.platform.errors import not_found
from shop.platform.config.resolver import indexed
from shop.platform.config.routes import routes

FIELDS = ("id", "name", "sku", "price", "description")

if settings.SHOP_SERVICE == "gateway":
    from gateway_urls import urlpatterns as role_urlpatterns
else:
    from shop.urls import handler400, handler404, handler500, urlpatterns as role_urlpatterns  # noqa: F401


def bare_product(request, product_id: int):
    """The selector's query (a model instance) and the API's five fields as JSON, with nothing in between."""
    product = apps.get_model("catalog", "Product").objects.filter(pk=product_id).first()
    if product is None:
        return not_found(request)
    return JsonResponse({"id": product.id, "name": product.name, "sku": product.sku, "price": str(product.price),
                         "description": product.description})


def bare_product_values(request, product_id: int):
    """The same row read as a dict of the five fields: no model instance either."""
    row = apps.get_model("catalog", "Product").objects.filter(pk=product_id).values(*FIELDS).first()
    if row is None:
        return not_found(request)
    row["price"] = str(row["price"])
    return JsonResponse(row)


def empty(request):
    """What any Django view costs in this process under these settings: the floor of a forwarding view."""
    body = b"{}"
    return HttpResponse(body, content_type="application/json", headers={"Content-Length": str(len(body))})


patterns = [
    *routes((EMPTY_PATH, empty)),
    *(routes((f"{BARE_PRODUCT_PATH}/<id:product_id>", bare_product), (f"{BARE_VALUES_PATH}/<id:product_id>", bare_product_values))
      if "catalog" in settings.SHOP_APPS else []),
    *(routes((BARE_ORDERS_PATH, bare_place_order)) if settings.SHOP_SERVICE == "monolith" else []),
    *role_urlpatterns,
]
# The gateway's URLconf stays a flat list, as its short way for reads takes its leading routes (shop/gateway/urls.py).
urlpatterns = patterns if settings.SHOP_SERVICE == "gateway" else indexed(patterns)
