"""Catalog list queries: price range and ordering (django-filter), text search (DRF's SearchFilter, bounded)."""
import django_filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter

from shop.catalog.models import Product

MAX_SEARCH_TERMS = 10
MAX_SEARCH_TERM_LENGTH = 100  # characters


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


class ProductSearch(SearchFilter):
    """?search= finds products with every term in the name, sku or description. Each term adds a condition
    over three columns, so the terms are bounded in number and length: a 400 beyond, not an unbounded query
    (too deep for SQLite, a long scan for PostgreSQL). Null characters are a 400 too (DRF's own check)."""

    def get_search_terms(self, request):
        terms = super().get_search_terms(request)
        if len(terms) > MAX_SEARCH_TERMS or any(len(term) > MAX_SEARCH_TERM_LENGTH for term in terms):
            raise ValidationError({self.search_param: [
                f"At most {MAX_SEARCH_TERMS} search terms of at most {MAX_SEARCH_TERM_LENGTH} characters each."]})
        return terms
