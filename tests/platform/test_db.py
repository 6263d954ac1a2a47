"""shop.platform.db.show_related: the rows in hand answer the relation without a query, as a prefetch would.
This is the test that fails when a Django release changes the internals the adapter sets."""
import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from shop.orders.models import Order, OrderLine
from shop.platform.db import show_related

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_rows_in_hand_answer_the_relation_without_a_query():
    order = Order.objects.create(user_id=1, total=0)
    lines = OrderLine.objects.bulk_create(OrderLine(order=order, product_id=pid, name="n", sku=f"s{pid}",
                                                    unit_price=1, quantity=1) for pid in (1, 2))
    show_related(order, "lines", lines)
    with CaptureQueriesContext(connections[router.db_for_read(Order)]) as captured:
        shown = list(order.lines.all())
        counted = order.lines.count()
    assert (shown, counted, captured.captured_queries) == (lines, 2, [])


def test_without_it_the_relation_is_read():
    """The comparison above can fail: the same relation, not filled, costs a query."""
    order = Order.objects.create(user_id=1, total=0)
    with CaptureQueriesContext(connections[router.db_for_read(Order)]) as captured:
        list(order.lines.all())
    assert len(captured.captured_queries) == 1
