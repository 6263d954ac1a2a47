"""Internal orders API for other services (client/http.py), behind service credentials."""
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.orders import selectors
from shop.orders.client import OrderNotFound
from shop.platform.service_auth import InternalApi


class OrderInternalApi(InternalApi, APIView):
    callers = ("users", "catalog", "inventory")

    def get(self, request, pk: int):
        order = selectors.order_get(order_id=pk)
        if order is None:
            raise OrderNotFound(f"Order {pk} does not exist.")
        return Response({"id": order.id, "user_id": order.user_id, "status": order.status, "total": str(order.total)})
