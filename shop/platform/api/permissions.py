"""Permissions shared by the apps' public APIs (identity comes from the stateless JWT)."""
from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsStaff(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsStaffOrReadOnly(IsStaff):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or request.method not in view.allowed_methods:
            return True  # reads are public; an unsupported method gets its 405, not a 403
        return super().has_permission(request, view)
