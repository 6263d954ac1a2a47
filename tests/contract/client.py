"""A small HTTP client for the public API (requests, real sockets, bounded timeouts)."""
import requests

TIMEOUT = 15


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

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path, json=None, **kwargs):
        return self.request("DELETE", path, json=json, **kwargs)

    def login(self, username: str, password: str) -> "ApiClient":
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        self.session.headers["Authorization"] = f"Bearer {response.json()['access']}"
        return self

    def register_and_login(self, username: str, password: str = "c0rrect-Horse-battery") -> "ApiClient":
        response = self.post("/register", {"username": username, "email": f"{username}@example.com",
                                           "password": password})
        assert response.status_code == 201, response.text
        return self.login(username, password)
