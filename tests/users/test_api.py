"""Public users API: register, log in, refresh, list and read accounts."""
import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from tests.factories import PASSWORD, make_user
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(databases="__all__")


def register(api, path="/register", **overrides):
    body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD} | overrides
    return api.post(path, body, format="json")


@pytest.mark.parametrize("path", ["/register", "/register/"])
def test_register_creates_a_customer_without_echoing_the_password(api, path):
    response = register(api, path)

    assert response.status_code == 201
    user = User.objects.get(username="alice")
    assert response.json() == {"id": user.id, "username": "alice", "email": "alice@example.com"}
    assert user.check_password(PASSWORD) and not user.is_staff


def test_register_cannot_make_a_staff_account(api):
    assert register(api, is_staff=True).status_code == 201

    assert not User.objects.get(username="alice").is_staff


def test_register_refuses_a_taken_username(api):
    register(api)

    body = assert_problem(register(api, email="other@example.com"), 400)

    assert body["type"] == "/problems/username-taken"
    assert User.objects.count() == 1



@pytest.mark.parametrize("variant", ["ａｌｉｃｅ", "ALICE", "Ａlice"])
def test_register_refuses_a_username_that_differs_only_by_compatibility_form_or_case(api, variant):
    """NFKC and case folded, "ａｌｉｃｅ" and "ALICE" are alice: no second account that looks the same."""
    register(api)

    body = assert_problem(register(api, username=variant, email="other@example.com"), 400)

    assert body["type"] == "/problems/username-taken"
    assert User.objects.count() == 1


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@example.com"])
def test_register_does_not_reveal_a_taken_email(api, email):
    register(api)

    response = register(api, username="bob", email=email)

    assert response.status_code == 201
    assert set(response.json()) == {"id", "username", "email"} and response.json()["email"] == email
    bob = User.objects.get(username="bob")
    assert (bob.is_active, bob.email) == (False, "")  # cannot log in, does not hold the address
    assert api.post("/login", {"username": "bob", "password": PASSWORD}, format="json").status_code == 401
    assert User.objects.get(username="alice").email == "alice@example.com"


def test_the_database_refuses_a_second_account_with_the_same_email_in_any_case():
    make_user("carol")
    with pytest.raises(IntegrityError), transaction.atomic(using="users"):
        User.objects.create_user(username="dave", email="CAROL@example.com")
    User.objects.create_user(username="erin", email="")
    User.objects.create_user(username="frank", email="")  # accounts without an email are not constrained


@pytest.mark.parametrize("password", ["Sh0rt!", "password", "1234567890123", "alice1234"])
def test_register_refuses_a_weak_password(api, password):
    body = assert_problem(register(api, password=password), 400)

    assert "password" in body["errors"]
    assert not User.objects.exists()


@pytest.mark.parametrize("overrides, field", [
    ({"email": "not-an-email"}, "email"),
    ({"username": "has space"}, "username"),
    ({"username": "x" * 151}, "username"),
    ({"username": None}, "username"),
])
def test_register_validates_fields(api, overrides, field):
    body = assert_problem(register(api, **overrides), 400)

    assert field in body["errors"]
    assert not User.objects.exists()


@pytest.mark.parametrize("path", ["/login", "/login/"])
def test_login_returns_access_and_refresh_tokens(api, customer, path):
    response = api.post(path, {"username": customer.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


@pytest.mark.parametrize("username, password", [("user-x", "wrong-Passw0rd"), ("nobody", PASSWORD)])
def test_login_with_bad_credentials_is_401_problem(api, username, password):
    make_user("user-x")

    assert_problem(api.post("/login", {"username": username, "password": password}, format="json"), 401)


def test_refreshed_access_token_keeps_the_staff_claim(api, staff):
    refresh = api.post("/login", {"username": staff.username, "password": PASSWORD}, format="json").json()["refresh"]

    response = api.post("/login/refresh", {"refresh": refresh}, format="json")

    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api.get("/users").status_code == 200


def test_refresh_with_a_bad_token_is_401(api):
    assert_problem(api.post("/login/refresh", {"refresh": "not.a.token"}, format="json"), 401)


@pytest.mark.parametrize("path", ["/users", "/users/"])
def test_staff_lists_users_paginated(staff, staff_api, customer, path):
    response = staff_api.get(path)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [{"id": u.id, "username": u.username, "email": u.email} for u in (staff, customer)]


def test_user_list_is_staff_only(api, customer_api):
    assert_problem(customer_api.get("/users"), 403)
    assert_problem(api.get("/users"), 401)


def test_bad_bearer_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    assert_problem(api.get("/users/me"), 401)


@pytest.mark.parametrize("path", ["/users/me", "/users/me/", "/users/{id}", "/users/{id}/"])
def test_user_reads_own_account(customer, customer_api, path):
    response = customer_api.get(path.format(id=customer.id))

    assert response.status_code == 200
    assert response.json() == {"id": customer.id, "username": customer.username, "email": customer.email}


def test_another_users_account_is_404_for_a_customer(customer_api):
    other = make_user()

    body = assert_problem(customer_api.get(f"/users/{other.id}"), 404)

    assert body["type"] == "/problems/user-not-found"


def test_staff_reads_any_account(staff_api, customer):
    response = staff_api.get(f"/users/{customer.id}")

    assert response.status_code == 200
    assert response.json()["username"] == customer.username


@pytest.mark.parametrize("path", ["/users/999999", "/users/abc", "/users/1234567890123456789"])
def test_unknown_user_is_404(staff_api, path):
    assert_problem(staff_api.get(path), 404)


@pytest.mark.parametrize("path", ["/users/me", "/users/1"])
def test_reading_an_account_needs_a_login(api, path):
    assert_problem(api.get(path), 401)

