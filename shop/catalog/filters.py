"""Catalog list queries: price range and ordering (django-filter), text search (DRF's SearchFilter)."""
import django_filters

from shop.catalog.models import Product


class ProductFilter(django_filters.FilterSet):
    """Invalid values are a 400: django-filter validates each parameter as a form field."""

    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        fields=(("price", "price"), ("name", "name"), ("id", "id"), ("created_at", "created")),
        help_text="price, name, id or created; `-` before a field sorts descending; comma-separated.",
    )

    class Meta:
        model = Product
        fields = ["min_price", "max_price"]

