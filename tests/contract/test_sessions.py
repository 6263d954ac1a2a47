"""Token sessions over HTTP: RS256 only, refresh rotation, logout."""
import jwt
import pytest

from tests.contract.client import PASSWORD, ApiClient, unique
from tests.problems import assert_problem

OLD_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789"  # the seed's public dev key


def _session(api) -> dict:
    name = unique("sess")
    assert api.post("/register", {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
                    ).status_code == 201
    response = api.post("/login", {"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("key, algorithm", [(OLD_DEV_SECRET, "HS256"), (None, "none")])
def test_a_staff_token_forged_with_a_known_secret_cannot_create_products(api, key, algorithm):
    claims = jwt.decode(_session(api)["access"], options={"verify_signature": False}) | {"is_staff": True}
    forger = ApiClient(api.base_url).authorize(jwt.encode(claims, key, algorithm=algorithm))
    assert_problem(forger.post("/products", {"name": "Forged", "price": "1.00", "sku": unique("FORGED")}), 401)


def test_refresh_rotates_and_the_spent_token_is_refused(api):
    first = _session(api)["refresh"]
    response = api.post("/login/refresh", {"refresh": first})
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"access", "refresh"}
    assert_problem(api.post("/login/refresh", {"refresh": first}), 401)
    assert api.post("/login/refresh", {"refresh": response.json()["refresh"]}).status_code == 200


@pytest.mark.parametrize("slash", ["", "/"])
def test_logout_is_205_and_the_refresh_token_is_refused_afterwards(api, slash):
    refresh = _session(api)["refresh"]
    response = api.post(f"/logout{slash}", {"refresh": refresh})
    assert response.status_code == 205 and not response.content
    assert_problem(api.post("/login/refresh", {"refresh": refresh}), 401)


@pytest.mark.parametrize("body, status", [({}, 400), ({"refresh": "garbage"}, 401)])
def test_logout_with_a_bad_token(api, body, status):
    assert_problem(api.post("/logout", body), status)


def test_the_jwks_verifies_the_tokens_the_shop_issues(api):
    response = api.get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    keys = response.json()["keys"]
    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]
    public_key = jwt.PyJWK(keys[0]).key
    claims = jwt.decode(_session(api)["access"], public_key, algorithms=["RS256"])
    assert claims["token_type"] == "access"
