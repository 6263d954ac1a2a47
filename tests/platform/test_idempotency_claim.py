"""A claim on an Idempotency-Key is one INSERT .. ON CONFLICT DO NOTHING: it says whether the key was new."""
import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from shop.platform.api.idempotency import _insert_claim
from tests.platform.models import WidgetIdempotencyRecord, tables  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.usefixtures("tables")]


def claim(key: str):
    """The claim and the statements it ran."""
    with CaptureQueriesContext(connections[router.db_for_write(WidgetIdempotencyRecord)]) as captured:
        record = _insert_claim(WidgetIdempotencyRecord, user_id=1, key=key, fingerprint="f")
    return record, [query["sql"] for query in captured.captured_queries]


def test_a_new_key_is_claimed_in_one_statement_and_a_known_one_is_not_claimed_again():
    first, statements = claim("k")
    assert len(statements) == 1 and "ON CONFLICT DO NOTHING" in statements[0]
    stored = WidgetIdempotencyRecord.objects.get()
    assert (first.pk, first.fingerprint, first.created_at, first.status_code) == (
        stored.pk, stored.fingerprint, stored.created_at, None)
    again, statements = claim("k")
    assert again is None and len(statements) == 1
    assert WidgetIdempotencyRecord.objects.count() == 1
