"""People's sessions (browsable API) in both topologies: DRF's login page, CSRF on unsafe methods, logout."""
import re

import pytest

from tests.conftest import STAFF
from tests.contract.client import ApiClient, unique
from tests.problems import assert_problem


def logged_in(stack) -> ApiClient:
    """A client that logged in through DRF's login form, as a browser does."""
    client = ApiClient(stack.url)
    form = client.get("/api-auth/login/?next=/products", headers={"Accept": "text/html"})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = client.request("POST", "/api-auth/login/?next=/products", allow_redirects=False, data={
        "username": STAFF["username"], "password": STAFF["password"], "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response.headers["Location"] == "/products", response.text[:500]
    assert client.session.cookies.get("sessionid")
    return client


@pytest.fixture
def person(stack) -> ApiClient:
    return logged_in(stack)


def _product() -> dict:
    return {"name": "Session lamp", "price": "2.00", "sku": unique("S")}


def test_the_session_identifies_the_person(person):
    assert person.get("/users/me").json()["username"] == STAFF["username"]


def test_unsafe_methods_need_the_csrf_token(person):
    refused = assert_problem(person.post("/products", _product()), 403)
    assert "CSRF" in refused["detail"]
    token = person.session.cookies["csrftoken"]
    assert person.post("/products", _product(), headers={"X-CSRFToken": token}).status_code == 201


def test_bearer_clients_need_no_csrf_token(staff):
    assert staff.post("/products", _product()).status_code == 201


def test_logging_out_ends_the_session(person):
    token = person.session.cookies["csrftoken"]
    response = person.request("POST", "/api-auth/logout/", headers={"X-CSRFToken": token}, allow_redirects=False)
    assert response.status_code == 302
    assert_problem(person.get("/users/me"), 401)


def test_a_forged_session_cookie_is_anonymous(api):
    api.session.cookies.set("sessionid", "forged.value:signature")
    assert_problem(api.get("/users/me"), 401)
