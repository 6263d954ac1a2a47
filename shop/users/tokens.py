"""User tokens: issued with the account's current claims; refresh re-reads the account and rotates."""
from django.contrib.auth.models import User
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenBlacklistSerializer,
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from shop.platform.db import atomic
from shop.users import selectors


def token_for(user) -> RefreshToken:
    """A refresh token (and, through it, an access token) carrying is_staff and username as they are now,
    so services authorize without asking the users app."""
    token = RefreshToken.for_user(user)
    token["username"] = user.username
    token["is_staff"] = user.is_staff
    return token


class LoginSerializer(TokenObtainPairSerializer):
    def validate(self, attrs):
        """Reads the username as Django's login form does (NFKC, the user model's normalize_username), so
        POST /login, the login page and the admin match the same account, and the throttles count it so."""
        attrs[self.username_field] = User.normalize_username(attrs[self.username_field])
        return super().validate(attrs)

    @classmethod
    def get_token(cls, user):
        return token_for(user)


class RefreshSerializer(TokenRefreshSerializer):
    """Spends the refresh token once (blacklisted) and issues a new pair from the account as it is now:
    a deleted or deactivated account gets 401, a demoted one loses is_staff."""

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # signature, expiry and blacklist checked here
        user = selectors.user_get(user_id=int(refresh.payload.get(api_settings.USER_ID_CLAIM, 0)))
        if user is None:
            raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
        with atomic(BlacklistedToken):
            _, first_use = refresh.blacklist()
        if not first_use:  # a concurrent refresh with the same token won
            raise AuthenticationFailed("Token is blacklisted.", "token_not_valid")
        token = token_for(user)
        return {"access": str(token.access_token), "refresh": str(token)}


class LogoutSerializer(TokenBlacklistSerializer):
    """Blacklists the refresh token: it is refused from then on (access tokens expire on their own)."""
