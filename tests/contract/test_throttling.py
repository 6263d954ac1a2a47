"""Throttling over HTTP: repeated logins for one username get a 429 problem with Retry-After (the
stacks keep the default per-username rate, 10/min; tests/conftest.py lifts the per-address ones)."""
from tests.contract.client import PASSWORD, unique
from tests.problems import assert_problem

LOGIN_USERNAME_RATE = 10


def test_guessing_one_accounts_password_is_throttled(api):
    name = unique("victim")
    assert api.post("/register", {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
                    ).status_code == 201
    for _ in range(LOGIN_USERNAME_RATE):
        assert_problem(api.post("/login", {"username": name, "password": "Wrong-passw0rd!"}), 401)
    response = api.post("/login", {"username": name, "password": PASSWORD})
    body = assert_problem(response, 429)
    assert body["type"] == "/problems/throttled"
    assert 0 < int(response.headers["Retry-After"]) <= 60
    other = unique("bystander")
    assert_problem(api.post("/login", {"username": other, "password": "Wrong-passw0rd!"}), 401)
