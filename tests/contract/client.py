"""A small HTTP client for the public API (requests, real sockets, bounded timeouts), plus assertions."""
import time
import uuid

import requests

TIMEOUT = 15
PASSWORD = "c0rrect-Horse-battery"
SETUP_ATTEMPTS = 3


class ApiClient:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def request(self, method: str, path: str, json=None, headers: dict | None = None, **kwargs) -> requests.Response:
        return self.session.request(method, self.base_url + path, json=json, headers=headers, timeout=TIMEOUT,
                                    **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request("PUT", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path, json=None, **kwargs):
        return self.request("DELETE", path, json=json, **kwargs)

    def login(self, username: str, password: str) -> "ApiClient":
        response = self._setup_call("/login", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        return self.authorize(response.json()["access"])

    def _setup_call(self, path: str, body: dict) -> requests.Response:
        """POSTs for test setup, retried while the gateway times out: password hashing on a loaded CI
        machine can outlast its 5 s upstream timeout, and setup is not what the tests assert."""
        for _ in range(SETUP_ATTEMPTS - 1):
            response = self.post(path, body)
            if response.status_code not in (503, 504):
                return response
        return self.post(path, body)

    def authorize(self, access_token: str) -> "ApiClient":
        self.session.headers["Authorization"] = f"Bearer {access_token}"
        return self

    def register_and_login(self, username: str, password: str = PASSWORD) -> "ApiClient":
        response = self._setup_call("/register", {"username": username, "email": f"{username}@example.com",
                                                  "password": password})
        if response.status_code == 400 and response.json().get("type") == "/problems/username-taken":
            self.login(username, password)  # an earlier attempt timed out at the gateway but did register
            self.user = self.get("/users/me").json()
            return self
        assert response.status_code == 201, response.text
        self.user = response.json()
        return self.login(username, password)

    # shop vocabulary, for readable tests

    def stock(self, product_id: int) -> dict:
        response = self.get(f"/inventory/{product_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def place(self, lines: dict[int, int], **kwargs) -> requests.Response:
        """POST /orders with {product_id: quantity}."""
        items = [{"product_id": pid, "quantity": qty} for pid, qty in lines.items()]
        return self.post("/orders", {"items": items}, **kwargs)

    def place_ok(self, lines: dict[int, int]) -> dict:
        response = self.place(lines)
        assert response.status_code == 201, response.text
        return response.json()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def poll(fetch, until, timeout: float = 10.0, step: float = 0.1):
    """Calls fetch() every `step` seconds until until(value) holds or `timeout` passes; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if until(value) or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def settled_stock(client: ApiClient, product_id: int, **expected) -> dict:
    """Polls the product's stock until it shows `expected` (e.g. reserved=0, on_hand=8); returns it."""
    return poll(lambda: client.stock(product_id), lambda s: all(s[k] == v for k, v in expected.items()))
