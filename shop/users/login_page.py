"""The login pages for people: DRF's (the browsable API) and the admin's (the monolith's back office),
throttled as every door that checks a password is (LOGIN_THROTTLES), sharing POST /login's counts."""
from django.contrib import admin
from django.contrib.auth.views import LoginView, LogoutView

from shop.platform.api.throttling import refusal
from shop.users.throttles import LOGIN_THROTTLES


class ThrottledLoginView(LoginView):
    template_name = "rest_framework/login.html"

    def post(self, request, *args, **kwargs):
        return refusal(request, self, LOGIN_THROTTLES) or super().post(request, *args, **kwargs)


class ThrottledAdminSite(admin.AdminSite):
    """Django's admin site (installed by shop.users.apps.BackOfficeConfig) whose login is throttled: staff
    passwords cannot be guessed without limit, nor each guess cost a password hash for free."""

    def login(self, request, extra_context=None):
        if request.method == "POST" and (refused := refusal(request, self, LOGIN_THROTTLES)):
            return refused
        return super().login(request, extra_context)


# DRF's rest_framework.urls views by URL name, with the login page throttled (paths: shop.platform.config.pages).
VIEWS = {"login": ThrottledLoginView.as_view(), "logout": LogoutView.as_view()}
