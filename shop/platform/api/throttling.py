"""Request rates per client address, per user or per login name, counted in the shared cache (Redis when
SHOP_REDIS_URL is set, else files every process of the host sees), with rates read from settings at call
time; and the same throttles for Django views that are no DRF views (login forms)."""
import hashlib
import logging

from django.contrib.auth import get_user_model
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from shop.platform.errors import exception_handler

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


class LoginNameThrottle(RateThrottle):
    """Per account a login tries: the submitted username read as authentication reads it (the user model's
    normalize_username, NFKC, which Django's login form applies and the API's login too), so variants that
    log in to one account count as one, and other usernames count apart."""

    def get_cache_key(self, request, view):
        user_model = get_user_model()
        value = request.data.get(user_model.USERNAME_FIELD) if hasattr(request.data, "get") else None
        if not isinstance(value, str) or not value:
            return None
        return self.key(hashlib.sha256(user_model.normalize_username(value).encode()).hexdigest()[:32])


def refusal(request, view, throttle_classes):
    """For a Django view that is no DRF view (a login form): the 429 problem when one of the throttles
    refuses this request, else None. Every throttle counts the request, as DRF's views do."""
    form = Request(request, parsers=[FormParser(), MultiPartParser()])  # the throttles read the form's username
    throttles = [throttle_class() for throttle_class in throttle_classes]
    refused = [throttle for throttle in throttles if not throttle.allow_request(form, view)]
    if not refused:
        return None
    wait = max(throttle.wait() or 1 for throttle in refused)
    return exception_handler(Throttled(wait), {"view": view, "request": request})

