"""Accounts: registration, JWT login/refresh, and who may read which account."""
import pytest

from tests.contract.client import PASSWORD, ApiClient, unique
from tests.problems import assert_problem


def _register(api, username, email=None, password=PASSWORD, slash=""):
    return api.post(f"/register{slash}", {"username": username, "email": email or f"{username}@example.com",
                                           "password": password})


@pytest.mark.parametrize("slash", ["", "/"])
def test_register_returns_the_account_without_its_password(api, slash):
    name = unique("reg")
    response = _register(api, name, slash=slash)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "username", "email"}
    assert (body["username"], body["email"]) == (name, f"{name}@example.com")
    assert isinstance(body["id"], int)


def test_register_refuses_a_taken_username(api):
    first = unique("dup")
    assert _register(api, first).status_code == 201
    assert_problem(_register(api, first, email=f"{unique('other')}@example.com"), 400)


def test_register_does_not_reveal_whether_an_email_is_registered(api):
    owner, fresh, prober = unique("owner"), unique("fresh"), unique("prober")
    assert _register(api, owner).status_code == 201
    new_email, taken_email = _register(api, fresh), _register(api, prober, email=f"{owner.upper()}@example.com")
    assert (new_email.status_code, taken_email.status_code) == (201, 201)
    assert set(new_email.json()) == set(taken_email.json()) == {"id", "username", "email"}
    assert taken_email.json()["email"] == f"{owner.upper()}@example.com"
    assert_problem(api.post("/login", {"username": prober, "password": PASSWORD}), 401)  # holds nothing
    assert api.post("/login", {"username": owner, "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("body", [
    {},
    {"username": "ok-name", "email": "not-an-email", "password": PASSWORD},
    {"username": "has spaces", "email": "a@example.com", "password": PASSWORD},
    {"username": "ok-name", "email": "a@example.com", "password": "123"},
    {"username": "ok-name", "email": "a@example.com", "password": "password"},
    {"username": "x" * 151, "email": "a@example.com", "password": PASSWORD},
    {"username": ["list"], "email": "a@example.com", "password": PASSWORD},
], ids=["empty", "bad-email", "bad-username", "short-password", "common-password", "long-username", "wrong-type"])
def test_register_rejects_invalid_accounts(api, body):
    assert_problem(api.post("/register", body), 400)


@pytest.mark.parametrize("slash", ["", "/"])
def test_login_returns_tokens_that_identify_the_user(api, slash):
    name = unique("login")
    user = _register(api, name).json()
    response = api.post(f"/login{slash}", {"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["access"] and tokens["refresh"]
    me = ApiClient(api.base_url).authorize(tokens["access"]).get("/users/me")
    assert me.status_code == 200 and me.json() == user


@pytest.mark.parametrize("who", ["wrong-password", "unknown-user"])
def test_login_with_bad_credentials_is_401(api, who):
    name = unique("login")
    _register(api, name)
    username = name if who == "wrong-password" else unique("nobody")
    assert_problem(api.post("/login", {"username": username, "password": "Wrong-passw0rd!"}), 401)


@pytest.mark.parametrize("slash", ["", "/"])
def test_refresh_gives_a_working_access_token(api, slash):
    name = unique("refresh")
    _register(api, name)
    refresh = api.post("/login", {"username": name, "password": PASSWORD}).json()["refresh"]
    response = api.post(f"/login/refresh{slash}", {"refresh": refresh})
    assert response.status_code == 200, response.text
    me = ApiClient(api.base_url).authorize(response.json()["access"]).get("/users/me")
    assert me.status_code == 200 and me.json()["username"] == name


@pytest.mark.parametrize("body, status", [({"refresh": "garbage"}, 401), ({"refresh": ""}, 400), ({}, 400)])
def test_refresh_rejects_invalid_tokens(api, body, status):
    assert_problem(api.post("/login/refresh", body), status)


def test_a_forged_token_is_401(api):
    assert_problem(ApiClient(api.base_url).authorize("not.a.jwt").get("/users/me"), 401)


def test_user_list_is_for_staff_only(api, staff, customer):
    assert_problem(api.get("/users"), 401)
    assert_problem(customer.get("/users"), 403)
    response = staff.get("/users?page_size=1")
    assert response.status_code == 200, response.text
    page = response.json()
    assert set(page) >= {"count", "next", "previous", "results"}
    assert page["count"] >= 2 and len(page["results"]) == 1 and page["next"]


@pytest.mark.parametrize("slash", ["", "/"])
def test_users_me_is_the_caller(api, customer, slash):
    assert customer.get(f"/users/me{slash}").json() == customer.user
    assert_problem(api.get(f"/users/me{slash}"), 401)


def test_an_account_is_visible_to_itself_and_staff_only(api, staff, customer, make_customer):
    other = make_customer()
    path = f"/users/{customer.user['id']}"
    assert customer.get(path).json() == customer.user
    assert customer.get(path + "/").json() == customer.user
    assert staff.get(path).json() == customer.user
    assert_problem(other.get(path), 404)
    assert_problem(api.get(path), 401)
    assert_problem(staff.get("/users/999999999"), 404)
