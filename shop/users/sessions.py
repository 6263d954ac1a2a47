"""Browsable API sessions: a person logging in through DRF's login page gets an access token in their session."""
from django.contrib.auth.signals import user_logged_in

from shop.platform.api.auth import SESSION_TOKEN_KEY
from shop.users.tokens import LoginSerializer


def store_access_token(sender, request, user, **kwargs):
    """The same claims as POST /login gives, so every role authorizes the person as it would a client."""
    request.session[SESSION_TOKEN_KEY] = str(LoginSerializer.get_token(user).access_token)


def connect() -> None:
    user_logged_in.connect(store_access_token, dispatch_uid="shop.users.sessions")
