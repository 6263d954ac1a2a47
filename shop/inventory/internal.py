"""Internal inventory API for other services (client/http.py), behind service credentials: the inventory's DTOs."""
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from shop.inventory.client import ReservationLine
from shop.inventory.client.local import LocalClient
from shop.inventory.serializers import QuantitySerializer, valid_quantity
from shop.platform.api.fields import IdField
from shop.platform.api.views import ApiView
from shop.platform.remote.service_auth import InternalApi
from shop.platform.remote.wire import encode

class LineInput(QuantitySerializer):
    product_id = IdField()


class ReserveInput(serializers.Serializer):
    order_id = IdField()
    lines = LineInput(many=True, allow_empty=False, max_length=200)


class StockInternalApi(InternalApi, ApiView):
    def get(self, request, product_id: int):
        return Response(encode(LocalClient().stock_get(product_id=product_id)))

    def post(self, request, product_id: int):
        quantity = valid_quantity(request.data)
        return Response(encode(LocalClient().stock_add(product_id=product_id, quantity=quantity)))


class ReservationsApi(InternalApi, ApiView):
    def post(self, request):
        serializer = ReserveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if request.user.user_id is None:
            raise ValidationError({"sub": ["A reservation is made for a customer: the credential must name one."]})
        lines = [ReservationLine(**line) for line in data["lines"]]
        reserved = LocalClient().stock_reserve(order_id=data["order_id"], lines=lines, user_id=request.user.user_id)
        return Response(encode(reserved))


class ReleaseApi(InternalApi, ApiView):
    def post(self, request, order_id: int):
        LocalClient().stock_release(order_id=order_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
