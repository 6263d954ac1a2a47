"""Public catalog API: list, create, read, update and delete products."""
from decimal import Decimal

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from shop.catalog import selectors, services
from shop.catalog.client import ProductNotFound
from shop.catalog.filters import ProductFilter, ProductSearch
from shop.platform.api.caching import revalidated_public_read
from shop.platform.api.permissions import IsStaffOrReadOnly
from shop.platform.api.views import ApiView, GenericApiView


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    sku = serializers.RegexField(r"^[A-Za-z0-9._-]+$", max_length=64)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


PRODUCT_OUT = ProductSerializer()  # one set of fields for every read of one product: building them cost more than the row


class ProductListApi(ListModelMixin, GenericApiView):
    permission_classes = [IsStaffOrReadOnly]
    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend, ProductSearch]
    filterset_class = ProductFilter
    search_fields = ["name", "sku", "description"]

    def get_queryset(self):
        return selectors.product_list()

    @revalidated_public_read
    def get(self, request):
        return self.list(request)

    @extend_schema(request=ProductSerializer, responses={201: ProductSerializer})
    def post(self, request):
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(**serializer.validated_data)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductDetailApi(ApiView):
    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses=ProductSerializer)
    @revalidated_public_read
    def get(self, request, product_id: int):
        product = selectors.product_get(product_id=product_id)
        if product is None:
            raise ProductNotFound(f"Product {product_id} does not exist.")
        return Response(PRODUCT_OUT.to_representation(product))

    @extend_schema(request=ProductSerializer, responses=ProductSerializer)
    def patch(self, request, product_id: int):
        serializer = ProductSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(product_id=product_id, **serializer.validated_data)
        return Response(ProductSerializer(product).data)

    @extend_schema(responses={204: None})
    def delete(self, request, product_id: int):
        services.product_delete(product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
