"""The bench's bare order path (bench.bare_orders) runs exactly the SQL statements of POST /orders, so the
CPU ratio of the two prices the framework alone; this fails as soon as either path changes its SQL."""
import re
from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from bench import BARE_ORDERS_PATH
from shop.orders.models import Order
from tests.factories import make_product, stock_of

pytestmark = pytest.mark.django_db(databases="__all__")
# Literal values: strings (with a PostgreSQL cast), numbers, and the savepoint names Django makes up.
LITERAL = re.compile(r"'(?:[^']|'')*'(?:::\w+)?|(?<![\w\"])-?\d+(?:\.\d+)?\b|\"s\d+_x\d+\"")


NEGATIVE = re.compile(r" -(?=\d)")  # psycopg writes a negative number after a space ("( -5)": never "--")


def normalised(sql: str) -> str:
    return LITERAL.sub("?", NEGATIVE.sub("-", sql))


def place(client, path: str, items: list[dict], key: str) -> tuple[dict[str, list[str]], dict]:
    """The statements each database ran for one order (literals normalised), and the answer."""
    with ExitStack() as stack:
        captured = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections}
        response = client.post(path, {"items": items}, format="json", headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.content
    return {alias: [normalised(q["sql"]) for q in c.captured_queries] for alias, c in captured.items()}, response.json()


def test_the_bare_path_runs_the_statements_of_post_orders(customer_api, settings):
    settings.ROOT_URLCONF = "bench.urls"
    widget, gadget = make_product(stock=10), make_product(stock=10, price="2.50", name="Gadget")
    items = [{"product_id": gadget.id, "quantity": 1}, {"product_id": widget.id, "quantity": 2},
             {"product_id": gadget.id, "quantity": 2}]

    real, real_order = place(customer_api, "/orders", items, key="real")
    bare, bare_order = place(customer_api, f"/{BARE_ORDERS_PATH}", items, key="bare")

    assert bare == real
    assert sum(map(len, real.values())) >= 10 and real["orders"] and real["inventory"] and real["catalog"]
    assert {k: v for k, v in bare_order.items() if k not in ("id", "created_at")} == \
        {k: v for k, v in real_order.items() if k not in ("id", "created_at")}
    assert customer_api.get(f"/orders/{bare_order['id']}").json() == bare_order  # a real order, shown as the API shows it
    assert list(Order.objects.values_list("status", flat=True)) == ["pending", "pending"]
    assert (stock_of(widget.id), stock_of(gadget.id)) == ((10, 4), (10, 6))


def test_the_statements_compared_are_the_ones_run(customer_api, settings):
    """The comparison can fail: an order of a different shape runs different statements."""
    settings.ROOT_URLCONF = "bench.urls"
    product = make_product(stock=10)

    one_line, _ = place(customer_api, f"/{BARE_ORDERS_PATH}", [{"product_id": product.id, "quantity": 1}], key="a")
    other_product = make_product(stock=10)
    two_lines, _ = place(customer_api, "/orders", [{"product_id": product.id, "quantity": 1},
                                                   {"product_id": other_product.id, "quantity": 1}], key="b")

    assert one_line != two_lines
