"""Serializer fields the apps' views share."""
from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest id a bigint primary key holds


class IdField(serializers.IntegerField):
    """A row id in a request body: 1 to MAX_ID."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
