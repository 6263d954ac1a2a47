"""Public inventory API: read, add and remove a product's stock."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from shop.catalog.client import get_client as catalog_client
from shop.inventory import selectors, services
from shop.inventory.serializers import QuantitySerializer, valid_quantity
from shop.platform.api.caching import revalidated_public_read
from shop.platform.api.permissions import IsStaffOrReadOnly
from shop.platform.api.schema import may_answer
from shop.platform.api.views import ApiView


class StockSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()


class StockApi(ApiView):
    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses=StockSerializer)
    @revalidated_public_read
    def get(self, request, product_id: int):
        return Response(StockSerializer(selectors.stock_get(product_id=product_id)).data)

    @extend_schema(request=QuantitySerializer, responses=StockSerializer)
    def post(self, request, product_id: int):
        quantity = valid_quantity(request.data)
        catalog_client().product_get(product_id=product_id)
        return Response(StockSerializer(services.stock_add(product_id=product_id, quantity=quantity)).data)

    @extend_schema(request=QuantitySerializer, responses={200: StockSerializer},
                   parameters=[OpenApiParameter("quantity", int, required=False)])
    @may_answer(409)  # below what is reserved
    def delete(self, request, product_id: int):
        data = request.data if request.body else request.query_params
        quantity = valid_quantity(data)
        return Response(StockSerializer(services.stock_remove(product_id=product_id, quantity=quantity)).data)
