"""The browsable API root: the public contract's routes, as links."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from shop.platform.api.views import ApiView


class ApiRootView(ApiView):
    """The shop's public API. Errors are RFC 9457 problem details."""

    links: dict[str, str] = {}  # name -> path, given by the URLconf (shop.app_routes.root_links)

    @extend_schema(exclude=True)
    def get(self, request):
        return Response({name: request.build_absolute_uri(url) for name, url in self.links.items()})
