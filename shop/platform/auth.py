"""End-user identity from the stateless JWT: no database read in any service."""
from functools import cached_property

from rest_framework_simplejwt.models import TokenUser


class ShopTokenUser(TokenUser):
    @cached_property
    def id(self) -> int:
        return int(self.token["user_id"])

    @cached_property
    def pk(self) -> int:
        return self.id
