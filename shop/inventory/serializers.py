"""The inventory's input read by both its public and its internal views."""
from rest_framework import serializers

from shop.inventory.services import MAX_QUANTITY


class QuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


def valid_quantity(data) -> int:
    """The quantity in `data`; raises ValidationError (400) when it is missing or out of range."""
    serializer = QuantitySerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["quantity"]
