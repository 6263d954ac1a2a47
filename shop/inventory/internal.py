"""Internal inventory API for other services (client/http.py), behind service credentials: the inventory's DTOs."""
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.inventory.client import ReservationLine
from shop.inventory.client.local import LocalClient
from shop.inventory.services import MAX_QUANTITY
from shop.platform.remote.service_auth import InternalApi
from shop.platform.remote.wire import encode

MAX_ID = 2**63 - 1


class QuantityInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class LineInput(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class ReserveInput(serializers.Serializer):
    order_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    lines = LineInput(many=True, allow_empty=False, max_length=200)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StockInternalApi(InternalApi, APIView):
    def get(self, request, product_id: int):
        return Response(encode(LocalClient().stock_get(product_id=product_id)))

    def post(self, request, product_id: int):
        quantity = _valid(QuantityInput, request.data)["quantity"]
        return Response(encode(LocalClient().stock_add(product_id=product_id, quantity=quantity)))


class ReservationsApi(InternalApi, APIView):
    def post(self, request):
        data = _valid(ReserveInput, request.data)
        lines = [ReservationLine(**line) for line in data["lines"]]
        return Response(encode(LocalClient().stock_reserve(order_id=data["order_id"], lines=lines)))


class ReleaseApi(InternalApi, APIView):
    def post(self, request, order_id: int):
        LocalClient().stock_release(order_id=order_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
