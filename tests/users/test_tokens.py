"""User tokens: RS256, refresh re-reads the account, rotation spends a refresh token once, logout."""
import jwt
import pytest
from django.conf import settings
from django.contrib.auth.models import User

from tests.factories import PASSWORD, make_user
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db(databases="__all__")


def log_in(api, user) -> dict:
    response = api.post("/login", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def refresh(api, token: str):
    return api.post("/login/refresh", {"refresh": token}, format="json")


def test_tokens_are_rs256_and_verify_with_the_public_key_only(api, customer):
    access = log_in(api, customer)["access"]
    assert jwt.get_unverified_header(access)["alg"] == "RS256"
    claims = jwt.decode(access, settings.SIMPLE_JWT["VERIFYING_KEY"], algorithms=["RS256"])
    assert claims["user_id"] == str(customer.id) and claims["is_staff"] is False


@pytest.mark.parametrize("key, algorithm", [(settings.SECRET_KEY, "HS256"), (None, "none")])
def test_a_staff_token_forged_with_a_shared_secret_or_unsigned_is_401(api, customer, key, algorithm):
    claims = jwt.decode(log_in(api, customer)["access"], options={"verify_signature": False}) | {"is_staff": True}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt.encode(claims, key, algorithm=algorithm)}")
    assert_problem(api.get("/users"), 401)


def test_refresh_rotates_and_a_spent_refresh_token_is_refused(api, customer):
    first = log_in(api, customer)["refresh"]
    response = refresh(api, first)
    assert response.status_code == 200, response.content
    second = response.json()["refresh"]
    assert second != first
    assert_problem(refresh(api, first), 401)
    assert refresh(api, second).status_code == 200


def test_a_demoted_staff_member_loses_staff_rights_at_the_next_refresh(api, staff):
    token = log_in(api, staff)["refresh"]
    User.objects.filter(pk=staff.pk).update(is_staff=False)
    access = refresh(api, token).json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert_problem(api.get("/users"), 403)


@pytest.mark.parametrize("change", [
    pytest.param(lambda user: User.objects.filter(pk=user.pk).update(is_active=False), id="deactivated"),
    pytest.param(lambda user: User.objects.filter(pk=user.pk).delete(), id="deleted"),
])
def test_refresh_for_a_deactivated_or_deleted_account_is_401(api, change):
    user = make_user()
    token = log_in(api, user)["refresh"]
    change(user)
    assert_problem(refresh(api, token), 401)


def test_logout_spends_the_refresh_token(api, customer):
    token = log_in(api, customer)["refresh"]
    response = api.post("/logout", {"refresh": token}, format="json")
    assert response.status_code == 205 and not response.content
    assert_problem(refresh(api, token), 401)
    assert_problem(api.post("/logout", {"refresh": token}, format="json"), 401)


@pytest.mark.parametrize("body, status", [({}, 400), ({"refresh": "garbage"}, 401)])
def test_logout_with_a_bad_token(api, body, status):
    assert_problem(api.post("/logout", body, format="json"), status)


def test_an_access_token_from_a_users_role_whose_clock_runs_a_little_ahead_is_accepted(api, customer):
    """SIMPLE_JWT["LEEWAY"] is SHOP_TOKEN_LEEWAY_SECONDS: a token issued "in the future" by less than it is
    valid on a role whose clock is behind; one further ahead is not."""
    claims = jwt.decode(log_in(api, customer)["access"], options={"verify_signature": False})

    def issued_ahead_by(seconds: int) -> str:
        moved = claims | {"iat": claims["iat"] + seconds, "exp": claims["exp"] + seconds, "nbf": claims["iat"] + seconds}
        return jwt.encode(moved, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="RS256")

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_ahead_by(settings.SHOP_TOKEN_LEEWAY_SECONDS - 1)}")
    assert api.get("/orders").status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_ahead_by(settings.SHOP_TOKEN_LEEWAY_SECONDS + 30)}")
    assert_problem(api.get("/orders"), 401)
