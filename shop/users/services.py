from django.contrib.auth.models import User
from django.db import IntegrityError

from shop.platform.db import atomic
from shop.platform.errors import ShopError


class UsernameTaken(ShopError):
    """The username already belongs to an account (a taken email is never told apart: see user_register)."""

    code = "username-taken"
    title = "This username is already taken"


def user_register(*, username: str, email: str, password: str) -> User:
    """Creates an active, non-staff account; the password must already be validated. The username is kept
    NFKC-normalised, as Django's forms keep it, and is taken when it equals another's whatever the case
    (a unique index on its lower case). An email already in use gets an account that can never log in
    (inactive, without the email), so the answer is the same and does not tell whether the address is
    registered."""
    username = User.normalize_username(username)
    user = User(username=username, email=User.objects.normalize_email(email))
    user.set_password(password)  # slow by design: hash before taking the database's write lock
    try:
        return _insert(user)
    except IntegrityError:  # the username or the email (unique indexes on their lower case)
        if User.objects.filter(username__iexact=username).exists():
            raise UsernameTaken(f"Username {username!r} is taken.") from None
    user.pk, user.email, user.is_active = None, "", False
    try:
        return _insert(user)
    except IntegrityError:  # the username was taken in between
        raise UsernameTaken(f"Username {username!r} is taken.") from None


def _insert(user: User) -> User:
    with atomic(User):
        user.save()
    return user
