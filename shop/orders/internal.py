"""Internal orders API for other services (client/http.py), behind service credentials."""
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.orders import selectors
from shop.orders.client import OrderNotFound
from shop.platform.service_auth import InternalApi

MAX_STATUSES = 1000


class StatusesInput(serializers.Serializer):
    order_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                      max_length=MAX_STATUSES)


class OrderStatusesApi(InternalApi, APIView):
    def post(self, request):
        serializer = StatusesInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(selectors.order_statuses(order_ids=serializer.validated_data["order_ids"]))


class OrderInternalApi(InternalApi, APIView):
    def get(self, request, pk: int):
        order = selectors.order_get(order_id=pk)
        if order is None:
            raise OrderNotFound(f"Order {pk} does not exist.")
        return Response({"id": order.id, "user_id": order.user_id, "status": order.status, "total": str(order.total)})
