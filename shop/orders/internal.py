"""Internal orders API for other services (client/http.py), behind service credentials: the orders app's DTOs."""
from rest_framework import serializers
from rest_framework.response import Response

from shop.orders.client.local import LocalClient
from shop.platform.api.fields import IdField
from shop.platform.api.views import ApiView
from shop.platform.remote.service_auth import InternalApi
from shop.platform.remote.wire import encode

MAX_LOOKUP = 1000


class LookupInput(serializers.Serializer):
    order_ids = serializers.ListField(child=IdField(), max_length=MAX_LOOKUP)


class OrdersLookupApi(InternalApi, ApiView):
    def post(self, request):
        serializer = LookupInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(encode(LocalClient().orders_get(order_ids=serializer.validated_data["order_ids"])))
