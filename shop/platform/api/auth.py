"""End-user identity from the stateless JWT (no database read in any service), sent as a bearer token
by API clients, or carried in the signed session cookie of a person using the browsable API."""
from functools import cached_property

from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.models import TokenUser

SESSION_TOKEN_KEY = "shop.access"  # the session entry holding the person's access token, set at login


class ShopTokenUser(TokenUser):
    @cached_property
    def id(self) -> int:
        return int(self.token["user_id"])

    @cached_property
    def pk(self) -> int:
        return self.id

    def __str__(self) -> str:  # the name the browsable API shows a person
        return self.username or f"user {self.id}"


class SessionTokenAuthentication(SessionAuthentication):
    """A browser session: the users app stores an access token in it at login; any role can verify it,
    since sessions are signed cookies. Unsafe methods need the CSRF token, as with any session."""

    def authenticate(self, request):
        session = getattr(request._request, "session", None)
        raw = session.get(SESSION_TOKEN_KEY) if session is not None else None
        if not raw:
            return None
        bearer = JWTStatelessUserAuthentication()
        try:
            token = bearer.get_validated_token(raw)
        except InvalidToken:  # expired: the person is signed out and may log in again
            return None
        self.enforce_csrf(request)
        return bearer.get_user(token), token
