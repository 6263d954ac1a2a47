"""Request rates per client address, per user or per a field of the body, counted in the shared cache
(Redis when SHOP_REDIS_URL is set), with rates read from settings at call time."""
import hashlib
import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class RateThrottle(SimpleRateThrottle):
    """A scope's rate from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (None: not throttled). A cache outage
    lets the request through: throttling protects the service, it must not take it down."""

    methods: tuple[str, ...] = ()  # empty: every method

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.methods and request.method not in self.methods:
            return True
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - any cache failure
            logger.warning("throttle %s: cache unavailable, request let through", self.scope, exc_info=True)
            return True

    def key(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(RateThrottle):
    """Per client address: REMOTE_ADDR, or X-Forwarded-For as written by the NUM_PROXIES trusted proxies."""

    def get_cache_key(self, request, view):
        return self.key(self.get_ident(request))


class UserThrottle(RateThrottle):
    """Per authenticated user; anonymous requests are left to authentication."""

    def get_cache_key(self, request, view):
        user = request.user
        return self.key(str(user.id)) if user and user.is_authenticated else None


class FieldThrottle(RateThrottle):
    """Per value of one body field, compared case-insensitively (e.g. the username a login tries)."""

    field = ""

    def get_cache_key(self, request, view):
        value = request.data.get(self.field) if hasattr(request.data, "get") else None
        if not isinstance(value, str) or not value:
            return None
        return self.key(hashlib.sha256(value.casefold().encode()).hexdigest()[:32])


def scoped(base: type[RateThrottle], scope: str, **attributes) -> type[RateThrottle]:
    """A throttle class of `base` for one scope, e.g. scoped(AddressThrottle, "register")."""
    name = "".join(part.title() for part in scope.split("-")) + base.__name__
    return type(name, (base,), {"scope": scope, **attributes})
