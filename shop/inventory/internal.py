"""Internal inventory API for other services (client/http.py), behind service credentials."""
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.inventory import selectors, services
from shop.inventory.api import MAX_QUANTITY, QuantitySerializer, StockSerializer
from shop.platform.service_auth import InternalApi

MAX_ID = 2**63 - 1


class LineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class ReserveSerializer(serializers.Serializer):
    order_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    lines = LineSerializer(many=True, allow_empty=False, max_length=200)


class StockInternalApi(InternalApi, APIView):
    callers = ("catalog",)  # seed_demo stocks the products it creates

    def get(self, request, product_id: int):
        return Response(StockSerializer(selectors.stock_get(product_id=product_id)).data)

    def post(self, request, product_id: int):
        serializer = QuantitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stock = services.stock_add(product_id=product_id, quantity=serializer.validated_data["quantity"])
        return Response(StockSerializer(stock).data)


class ReservationsApi(InternalApi, APIView):
    callers = ("orders",)

    def post(self, request):
        serializer = ReserveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reservations = services.stock_reserve(
            order_id=data["order_id"], lines=[(line["product_id"], line["quantity"]) for line in data["lines"]]
        )
        return Response(LineSerializer(reservations, many=True).data)


class ReleaseApi(InternalApi, APIView):
    callers = ("orders",)

    def post(self, request, order_id: int):
        return Response({"released": services.stock_release(order_id=order_id)})
