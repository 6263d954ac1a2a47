"""Service credentials: short-lived EdDSA tokens naming the caller, the audience and the end user, each
signed with the caller's own key (SHOP_<APP>_SERVICE_PRIVATE_KEY) and checked with its public key, allowing
the clocks of the two hosts to differ by SHOP_TOKEN_LEEWAY_SECONDS. A caller signs a token once and reuses it
for a while; a callee verifies a signature once (issue 23: each cost about 0.35 ms a hop)."""
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache

import jwt
from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from shop.platform.topology import owned_apps

SCHEME = "Service"
ALGORITHM = "EdDSA"
LIFETIME_SECONDS = 60
REUSE_SECONDS = LIFETIME_SECONDS // 2
CACHED_TOKENS = 4096  # signed and verified tokens kept per process, each under 1 KB
INVALID_CREDENTIALS = "Invalid service credentials."
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceCaller:
    """request.user on internal routes: the calling service, and the end user it acts for, if any."""

    service: str
    user_id: int | None = None
    is_authenticated: bool = True
    is_staff: bool = False

    @property
    def id(self) -> int | None:
        return self.user_id


def service_token(*, audience: str, user_id: int | None = None, callers: tuple[str, ...] = ()) -> str:
    """A credential for a call to `audience`, signed as the calling app: the one app of a single-app service,
    or, in a group, the first of its apps that the endpoint admits (`callers`). One token is signed per
    (caller, audience, user) every REUSE_SECONDS and sent until then, with at least half its life left."""
    caller = calling_app(callers)
    issued = int(time.time()) // REUSE_SECONDS * REUSE_SECONDS
    return _signed(caller, audience, user_id, issued, settings.SHOP_SERVICE_PRIVATE_KEYS[caller])


@lru_cache(maxsize=CACHED_TOKENS)
def _signed(caller: str, audience: str, user_id: int | None, issued: int, private_key: str) -> str:
    claims = {"iss": caller, "aud": audience, "iat": issued, "exp": issued + LIFETIME_SECONDS}
    if user_id is not None:
        claims["sub"] = str(user_id)
    return jwt.encode(claims, private_key, algorithm=ALGORITHM)


def calling_app(callers: tuple[str, ...] = ()) -> str:
    hosted = owned_apps(settings.SHOP_SERVICE)
    return next((app for app in hosted if app in callers), hosted[0])


@lru_cache(maxsize=CACHED_TOKENS)
def _verified(token: str, public_key: str, audiences: tuple[str, ...], leeway: int) -> dict:
    """The claims of a token whose signature, audience and issue time hold (a refusal raises, and is not
    cached); its expiry is the caller's to check, since a cached answer outlives the moment it was checked."""
    return jwt.decode(token, public_key, algorithms=[ALGORITHM], audience=list(audiences), leeway=leeway,
                      options={"require": ["exp", "iss", "aud"], "verify_exp": False})


class ServiceTokenAuthentication(BaseAuthentication):
    """Accepts `Authorization: Service <token>` for one of this process's apps, signed by the service it names."""

    def authenticate(self, request):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != SCHEME:
            return None
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")  # whose key to check with
            public_key = settings.SHOP_SERVICE_PUBLIC_KEYS.get(issuer, "") if isinstance(issuer, str) else ""
            leeway = settings.SHOP_TOKEN_LEEWAY_SECONDS
            claims = _verified(token, public_key, tuple(settings.SHOP_APPS), leeway)
            if claims["exp"] + leeway < time.time():  # checked at each use: the verification is cached
                raise jwt.ExpiredSignatureError("Signature has expired")
        except jwt.PyJWTError as exc:
            logger.warning("refused a service credential: %s", exc)  # the caller learns nothing from the reason
            raise AuthenticationFailed(INVALID_CREDENTIALS) from exc
        subject = claims.get("sub", "")
        user_id = int(subject) if isinstance(subject, str) and re.fullmatch(r"[0-9]{1,18}", subject) else None
        return ServiceCaller(service=claims["iss"], user_id=user_id), token

    def authenticate_header(self, request):
        return SCHEME


class IsAllowedCaller(BasePermission):
    """The calling service (the token's `iss`) is one the view lists in `callers`."""

    message = "This service may not call this endpoint."

    def has_permission(self, request, view):
        return isinstance(request.user, ServiceCaller) and request.user.service in view.callers


class InternalApi:
    """Mixin for internal views: only the services named in `callers`, with a valid credential, get in."""

    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [IsAllowedCaller]
    callers: tuple[str, ...] = ()  # from the route's declaration (shop/<app>/routes.py)
