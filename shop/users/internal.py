"""Internal users API for other services (client/http.py), behind service credentials."""
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.platform.service_auth import InternalApi
from shop.users import selectors
from shop.users.client import UserNotFound


class UserInternalApi(InternalApi, APIView):
    callers = ("catalog", "orders", "inventory")

    def get(self, request, pk: int):
        user = selectors.user_get(user_id=pk)
        if user is None:
            raise UserNotFound(f"User {pk} does not exist.")
        return Response({"id": user.id, "username": user.username, "email": user.email, "is_staff": user.is_staff})
