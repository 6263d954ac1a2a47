"""Back-office building blocks shared by the apps' admin modules, and the admin site itself."""
from django.contrib import admin

from shop.platform.api.throttling import refusal


class ThrottledAdminSite(admin.AdminSite):
    """Django's admin site whose login counts against the login limits (LOGIN_THROTTLES) as every door does:
    staff passwords cannot be guessed without limit, nor each guess cost a password hash for free."""

    def login(self, request, extra_context=None):
        if request.method == "POST" and (refused := refusal(request, self)):
            return refused
        return super().login(request, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look, never write: these rows change only through their app's services (and sagas)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
