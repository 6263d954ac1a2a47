"""Health endpoints in process: readiness fails with 503 in the client's format; liveness touches nothing."""
import dataclasses

import pytest
from asgiref.sync import async_to_sync
from django.test import RequestFactory
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from shop.platform.api.health import HealthView, live


@dataclasses.dataclass
class Failing(HealthCheck):
    def run(self):
        raise ServiceUnavailable("down for the test")


@dataclasses.dataclass
class Passing(HealthCheck):
    def run(self):
        pass


def health(checks, accept):
    return async_to_sync(HealthView.as_view(checks=checks))(RequestFactory().get("/health/", HTTP_ACCEPT=accept))


@pytest.mark.parametrize("accept, content_type", [("application/json", "application/json"),
                                                  ("text/html", "text/html")])
def test_a_failing_check_is_503_in_the_asked_format(accept, content_type):
    response = health([Passing, Failing], accept)
    assert response.status_code == 503
    assert response["Content-Type"].startswith(content_type)


def test_passing_checks_are_200():
    response = health([Passing], "application/json")
    assert response.status_code == 200


def test_liveness_touches_no_database():
    """No django_db mark: pytest-django makes any database access here an error."""
    response = live(RequestFactory().get("/health/live"))
    assert response.status_code == 200
