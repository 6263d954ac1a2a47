from django.contrib.auth.models import User
from django.db import IntegrityError

from shop.platform.db import atomic
from shop.platform.errors import ShopError


class AccountExists(ShopError):
    """The username, or the email, already belongs to an account."""

    code = "username-taken"
    title = "This username or email is already registered"


def user_register(*, username: str, email: str, password: str) -> User:
    """Creates an active, non-staff account; the password must already be validated."""
    user = User(username=username, email=User.objects.normalize_email(email))
    user.set_password(password)  # slow by design: hash before taking the database's write lock
    try:
        with atomic(User):
            if User.objects.filter(email__iexact=email).exists():
                raise AccountExists(f"Email {email!r} is already registered.")
            user.save()
            return user
    except IntegrityError as exc:
        raise AccountExists(f"Username {username!r} is taken.") from exc
