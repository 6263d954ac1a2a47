"""Users client over HTTP, for processes that do not host the users app."""
from shop.platform.http import ServiceClient
from shop.users.client import User, UserNotFound, UsersUnavailable


class HttpUsersClient:
    def __init__(self):
        self.service = ServiceClient("users", unavailable=UsersUnavailable, errors=(UserNotFound,))

    def user_get(self, *, user_id: int) -> User:
        return User(**self.service.call("GET", f"/internal/users/{user_id}", idempotent=True))
