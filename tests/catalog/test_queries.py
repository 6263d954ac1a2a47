"""Catalog list queries: ?search=, ?ordering=, ?min_price=, ?max_price=, and 400 for invalid values."""
import pytest

from shop.catalog.models import Product
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def shelf():
    """Three products with distinct names, skus, descriptions and prices, created in this order."""
    rows = [("Blue Lamp", "LAMP-1", "A reading lamp", "30.00"), ("red chair", "CH-2", "Oak, seats one", "120.00"),
            ("Green Mug", "MUG-3", "Holds a LAMP's worth of tea", "8.50")]
    for name, sku, description, price in rows:
        Product.objects.create(name=name, sku=sku, description=description, price=price)


def names(api, query: str) -> list[str]:
    response = api.get(f"/products?{query}")
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["results"]]


@pytest.mark.parametrize("query, expected", [
    ("search=lamp", ["Blue Lamp", "Green Mug"]),  # name and description, any case
    ("search=ch-2", ["red chair"]),  # sku
    ("search=OAK", ["red chair"]),
    ("search=nothing-like-it", []),
])
def test_search_spans_name_sku_and_description_case_insensitively(api, shelf, query, expected):
    assert names(api, query) == expected


@pytest.mark.parametrize("query, expected", [
    ("ordering=price", ["Green Mug", "Blue Lamp", "red chair"]),
    ("ordering=-price", ["red chair", "Blue Lamp", "Green Mug"]),
    ("ordering=-id", ["Green Mug", "red chair", "Blue Lamp"]),
    ("ordering=-created", ["Green Mug", "red chair", "Blue Lamp"]),
    ("ordering=name", ["Blue Lamp", "Green Mug", "red chair"]),
    ("", ["Blue Lamp", "red chair", "Green Mug"]),
])
def test_ordering(api, shelf, query, expected):
    assert names(api, query) == expected


@pytest.mark.parametrize("query, expected", [
    ("min_price=10", ["Blue Lamp", "red chair"]),
    ("max_price=30", ["Blue Lamp", "Green Mug"]),
    ("min_price=8.5&max_price=30&ordering=-price", ["Blue Lamp", "Green Mug"]),
    ("min_price=10&search=lamp", ["Blue Lamp"]),
])
def test_price_range_combines_with_the_rest(api, shelf, query, expected):
    assert names(api, query) == expected


@pytest.mark.parametrize("query, field", [
    ("min_price=cheap", "min_price"), ("max_price=NaN", "max_price"), ("min_price=1e400", "min_price"),
    ("ordering=colour", "ordering"), ("ordering=price,-sku", "ordering"), ("page_size=0", "page_size"),
    ("page_size=ten", "page_size"), ("search=%00", "non_field_errors"),
])
def test_invalid_values_are_400_naming_the_parameter(api, shelf, query, field):
    body = assert_problem(api.get(f"/products?{query}"), 400)
    assert field in body["errors"]
