"""DRF's login page for people, throttled as every door that checks a password is (LOGIN_THROTTLES)."""
from django.contrib.auth.views import LoginView, LogoutView

from shop.platform.api.throttling import refusal


class ThrottledLoginView(LoginView):
    template_name = "rest_framework/login.html"

    def post(self, request, *args, **kwargs):
        return refusal(request, self) or super().post(request, *args, **kwargs)


# DRF's rest_framework.urls views by URL name, with the login page throttled (paths: shop.platform.config.pages).
VIEWS = {"login": ThrottledLoginView.as_view(), "logout": LogoutView.as_view()}
