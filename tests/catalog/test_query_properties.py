"""Property tests of the public query parsers: any query value gives a 2xx or a 4xx problem, never a 5xx.

Values are any text, any bytes (percent-encoded as a client may send them), digits of every script, and
long runs of search terms; the names are the list's parameters and an unknown one."""
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from shop.catalog.filters import MAX_SEARCH_TERM_LENGTH, MAX_SEARCH_TERMS
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(databases="__all__")

NAMES = st.sampled_from(["page", "page_size", "search", "ordering", "min_price", "max_price", "format", "other"])
DIGITS = st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=12)  # ², ٣, ½, 𝟗 ...
WORDS = st.lists(st.text(min_size=1, max_size=8), max_size=3 * MAX_SEARCH_TERMS).map(" ".join) | st.sampled_from(
    [MAX_SEARCH_TERMS, MAX_SEARCH_TERMS + 1, 2000]).map(lambda n: " ".join(["lamp"] * n))
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
VALUES = st.one_of(TEXT.map(quote), st.binary(max_size=40).map(quote_from_bytes), DIGITS.map(quote),
                   WORDS.map(quote), st.sampled_from(["-price,name", "0", "-1", "1e9", "NaN", "Infinity", "9" * 30]))
QUERIES = st.lists(st.tuples(NAMES, VALUES), max_size=4).map(lambda pairs: "&".join(f"{n}={v}" for n, v in pairs))
PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def assert_no_server_error(response):
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


@PROPERTY
@given(query=QUERIES)
@example(query="search=" + "+".join(["lamp"] * 2000))  # the audit's case, tried every run
def test_any_query_on_the_product_list_is_answered_or_refused_never_a_server_error(api, product, query):
    assert_no_server_error(api.get(f"/products?{query}", HTTP_ACCEPT="application/json"))


@PROPERTY
@given(query=QUERIES)
def test_any_query_on_a_customers_order_list_is_answered_or_refused_never_a_server_error(customer_api, query):
    assert_no_server_error(customer_api.get(f"/orders?{query}", HTTP_ACCEPT="application/json"))


def test_too_many_search_terms_are_a_400_problem(api):
    body = assert_problem(api.get("/products", {"search": " ".join(["lamp"] * 2000)}), 400)
    assert "search" in body["errors"]
    assert api.get("/products", {"search": " ".join(["lamp"] * MAX_SEARCH_TERMS)}).status_code == 200


def test_a_search_term_too_long_is_a_400_problem(api):
    assert "search" in assert_problem(api.get("/products", {"search": "x" * (MAX_SEARCH_TERM_LENGTH + 1)}),
                                      400)["errors"]
    assert api.get("/products", {"search": "x" * MAX_SEARCH_TERM_LENGTH}).status_code == 200
