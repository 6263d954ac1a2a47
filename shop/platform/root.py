"""The browsable API root: the public contract's routes, as links."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

PUBLIC_ROUTES = {
    "register": "/register", "login": "/login", "login-refresh": "/login/refresh", "logout": "/logout",
    "users": "/users", "me": "/users/me", "products": "/products", "orders": "/orders",
    "inventory": "/inventory/{product_id}", "health": "/health/", "schema": "/schema/", "docs": "/docs/",
}


class ApiRootView(APIView):
    """The shop's public API. Errors are RFC 9457 problem details."""

    @extend_schema(exclude=True)
    def get(self, request):
        return Response({name: request.build_absolute_uri(url) for name, url in PUBLIC_ROUTES.items()})
