"""Back-office building blocks shared by the apps' admin modules."""
from django.contrib import admin


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
