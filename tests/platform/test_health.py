"""Health endpoints in process: readiness fails with 503 in the client's format; liveness touches nothing."""
import dataclasses
import json

import pytest
from asgiref.sync import async_to_sync
from django.test import RequestFactory
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from unittest import mock

from shop.platform.api import health as health_checks
from shop.platform.api.health import HealthView, live, upstream_checks
from shop.platform.remote.connections import Answer


@dataclasses.dataclass
class Failing(HealthCheck):
    def run(self):
        raise ServiceUnavailable("down for the test")


@dataclasses.dataclass
class Passing(HealthCheck):
    def run(self):
        pass


TOKEN = "a-metrics-token-of-the-test-0123456789"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.SHOP_METRICS_TOKEN = TOKEN


def health(checks, accept, **headers):
    headers = {"Authorization": f"Bearer {TOKEN}"} | headers
    request = RequestFactory().get("/health/", HTTP_ACCEPT=accept, headers=headers)
    return async_to_sync(HealthView.as_view(checks=checks))(request)


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


@pytest.mark.parametrize("checks, status, state", [([Passing], 200, "up"), ([Passing, Failing], 503, "down")])
@pytest.mark.parametrize("authorization", ["", "Bearer wrong"])
def test_anyone_else_learns_up_or_down_only(checks, status, state, authorization):
    """No check names, error texts or dead-letter counts without the metrics token."""
    response = health(checks, "text/html", Authorization=authorization)
    assert response.status_code == status
    assert json.loads(response.content) == {"status": state}


def test_the_gateway_asks_its_upstreams_once_for_many_health_calls(settings):
    """Anonymous callers cannot make the gateway call its four upstreams on each request: an upstream's
    answer is reused for a couple of seconds."""
    health_checks.RECENT.clear()
    with mock.patch("shop.platform.remote.http.send", return_value=Answer(200, {}, b"{}")) as send:
        for _ in range(5):
            assert health(upstream_checks(), "application/json", Authorization="").status_code == 200
    assert send.call_count == len(upstream_checks())
