"""The users app's public door: other apps import only this module."""
from dataclasses import dataclass
from typing import Protocol

from shop.platform.clients import client_for
from shop.platform.errors import ServiceUnavailable, ShopError


@dataclass(frozen=True)
class User:
    id: int
    username: str
    email: str
    is_staff: bool


class UserNotFound(ShopError):
    status = 404
    code = "user-not-found"
    title = "User not found"


class UsersUnavailable(ServiceUnavailable):
    code = "users-unavailable"
    title = "The users service is unavailable"


class UsersClient(Protocol):
    def user_get(self, *, user_id: int) -> User:
        """The active user, or UserNotFound."""


def get_client() -> UsersClient:
    return client_for("users", "shop.users.client.local.LocalUsersClient", "shop.users.client.http.HttpUsersClient")
