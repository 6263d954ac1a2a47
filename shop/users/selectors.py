from django.contrib.auth.models import User
from django.db.models import QuerySet


def user_list() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("id")


def user_get(*, user_id: int) -> User | None:
    return user_list().filter(pk=user_id).first()
