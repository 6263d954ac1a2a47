"""The exception handler turns every failure into a problem document with a fitting status."""
import json

import pytest
from django.db import OperationalError
from rest_framework import exceptions as drf

from shop.platform.errors import ShopError, exception_handler


@pytest.mark.parametrize("error, status, code", [
    (OperationalError("too many clients already"), 503, "database-unavailable"),
    (drf.MethodNotAllowed("PUT"), 405, "method-not-allowed"),
    (ShopError("nope"), 400, "bad-request"),
    (RuntimeError("bug"), 500, "internal-error"),
])
def test_errors_become_problems(error, status, code):
    response = exception_handler(error, {})
    body = json.loads(response.content)
    assert response.status_code == body["status"] == status
    assert body["type"] == f"/problems/{code}"
    assert response["Content-Type"] == "application/problem+json"
    assert "{" not in body["title"]
