"""Internal catalog API for other services (client/http.py), behind service credentials: the catalog's DTOs."""
from rest_framework import serializers
from rest_framework.response import Response

from shop.catalog.client.local import LocalClient
from shop.platform.api.views import ApiView
from shop.platform.remote.service_auth import InternalApi
from shop.platform.remote.wire import encode


class IdsSerializer(serializers.Serializer):
    ids = serializers.RegexField(r"^[0-9]{1,18}(,[0-9]{1,18}){0,199}$")


class ProductsByIdsApi(InternalApi, ApiView):
    def get(self, request):
        serializer = IdsSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        ids = [int(i) for i in serializer.validated_data["ids"].split(",")]
        return Response(encode(list(LocalClient().products_get(product_ids=ids).values())))
