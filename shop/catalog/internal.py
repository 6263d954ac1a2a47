"""Internal catalog API for other services (client/http.py), behind service credentials."""
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.catalog import selectors
from shop.catalog.api import ProductSerializer
from shop.platform.service_auth import InternalApi


class IdsSerializer(serializers.Serializer):
    ids = serializers.RegexField(r"^[0-9]{1,18}(,[0-9]{1,18}){0,199}$")


class ProductsByIdsApi(InternalApi, APIView):
    callers = ("orders", "inventory")  # pricing an order; stocking a product

    def get(self, request):
        serializer = IdsSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        ids = [int(i) for i in serializer.validated_data["ids"].split(",")]
        return Response(ProductSerializer(selectors.products_by_ids(product_ids=ids), many=True).data)
