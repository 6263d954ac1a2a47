"""Public orders API: place, list, read, pay and cancel the caller's orders."""
from collections import Counter

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.mixins import ListModelMixin

from shop.orders import selectors, services
from shop.orders.models import OrderIdempotencyRecord
from shop.orders.payments import SUCCESS_CARD
from shop.platform.api.fields import IdField
from shop.platform.api.idempotency import IDEMPOTENCY_PARAMETERS, idempotent
from shop.platform.api.schema import may_answer
from shop.platform.api.throttling import UserThrottle
from shop.platform.api.views import ApiView, GenericApiView

MAX_QUANTITY = 1000  # per product in one order, after lines naming the same product are added up


class OrderLineInput(serializers.Serializer):
    product_id = IdField()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class OrderInput(serializers.Serializer):
    items = OrderLineInput(many=True, allow_empty=False, max_length=100)

    def validate_items(self, items):
        totals = Counter()
        for item in items:
            totals[item["product_id"]] += item["quantity"]
        over = sorted(pid for pid, quantity in totals.items() if quantity > MAX_QUANTITY)
        if over:
            raise serializers.ValidationError(
                f"At most {MAX_QUANTITY} units per product; product(s) {', '.join(map(str, over))} exceed it.")
        return items


class PayInput(serializers.Serializer):
    card_number = serializers.RegexField(r"^[0-9]{12,19}$", required=False, default=SUCCESS_CARD)


class OrderLineOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    items = OrderLineOutput(source="lines", many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    created_at = serializers.DateTimeField()


class OrderPlaceThrottle(UserThrottle):
    """Order placement per customer (GET /orders is not counted)."""

    scope = "order-place"
    methods = ("POST",)


class OrderListApi(ListModelMixin, GenericApiView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderOutput
    throttle_classes = [OrderPlaceThrottle]

    def get_queryset(self):
        return selectors.order_list(user_id=self.request.user.id)

    def get(self, request):
        return self.list(request)

    @extend_schema(request=OrderInput, responses={201: OrderOutput}, parameters=IDEMPOTENCY_PARAMETERS)
    @may_answer(409)  # not enough stock
    @idempotent(OrderIdempotencyRecord)
    def post(self, request):
        serializer = OrderInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [(item["product_id"], item["quantity"]) for item in serializer.validated_data["items"]]
        order = services.order_place(user_id=request.user.id, lines=lines,
                                     idempotency_key=request.headers.get("Idempotency-Key"))
        return Response(OrderOutput(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OrderOutput)
    def get(self, request, order_id: int):
        order = selectors.order_get(order_id=order_id, user_id=request.user.id)
        if order is None:
            raise services.OrderNotFound(f"Order {order_id} does not exist.")
        return Response(OrderOutput(order).data)


class OrderPayApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PayInput, responses=OrderOutput, parameters=IDEMPOTENCY_PARAMETERS)
    @may_answer(402, 409)  # card declined; order cancelled or expired
    @idempotent(OrderIdempotencyRecord)
    def post(self, request, order_id: int):
        serializer = PayInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_pay(order_id=order_id, user_id=request.user.id, **serializer.validated_data)
        return Response(OrderOutput(order).data)


class OrderCancelApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderOutput)
    @may_answer(409)  # not pending
    def post(self, request, order_id: int):
        order = services.order_cancel(order_id=order_id, user_id=request.user.id)
        return Response(OrderOutput(order).data)
