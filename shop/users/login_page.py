"""DRF's login page for people, throttled as POST /login is, so it is no way around the login limits."""
from django.contrib.auth.views import LoginView, LogoutView
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request

from shop.platform.errors import exception_handler
from shop.platform.api.throttling import AddressThrottle, FieldThrottle, scoped

# A login, through POST /login or the browsable API's login page: per client address and per username.
LOGIN_THROTTLES = [scoped(AddressThrottle, "login"), scoped(FieldThrottle, "login-username", field="username")]


class ThrottledLoginView(LoginView):
    template_name = "rest_framework/login.html"

    def post(self, request, *args, **kwargs):
        form = Request(request, parsers=[FormParser(), MultiPartParser()])  # the throttles read the form's username
        throttles = [throttle_class() for throttle_class in LOGIN_THROTTLES]
        refused = [throttle for throttle in throttles if not throttle.allow_request(form, self)]
        if refused:
            wait = max(throttle.wait() or 1 for throttle in refused)
            return exception_handler(Throttled(wait), {"view": self, "request": request})
        return super().post(request, *args, **kwargs)


# DRF's rest_framework.urls views by URL name, with the login page throttled (paths: shop.platform.config.pages).
VIEWS = {"login": ThrottledLoginView.as_view(), "logout": LogoutView.as_view()}
