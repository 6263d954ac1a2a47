"""/health/live answers without touching any database (a liveness probe must not restart a healthy
process because a dependency is down); /health/ still checks them."""
from contextlib import ExitStack

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(databases="__all__")


def test_liveness_touches_no_dependency():
    with ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        response = Client().get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "alive"}
    assert sum(len(queries) for queries in captured) == 0
