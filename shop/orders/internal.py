"""Internal orders API for other services (client/http.py), behind service credentials: the orders app's DTOs."""
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.orders.client.local import LocalClient
from shop.platform.service_auth import InternalApi
from shop.platform.wire import encode


class OrderInternalApi(InternalApi, APIView):
    def get(self, request, order_id: int):
        return Response(encode(LocalClient().order_get(order_id=order_id)))
