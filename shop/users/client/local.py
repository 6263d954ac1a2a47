"""In-process users client."""
from shop.users import selectors
from shop.users.client import User, UserNotFound


def to_dto(user) -> User:
    return User(id=user.id, username=user.username, email=user.email, is_staff=user.is_staff)


class LocalUsersClient:
    def user_get(self, *, user_id: int) -> User:
        user = selectors.user_get(user_id=user_id)
        if user is None:
            raise UserNotFound(f"User {user_id} does not exist.")
        return to_dto(user)
