"""shop.platform.remote.wire: DTOs encode to JSON-ready data and decode back through their type hints alone."""
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest

from shop.platform.remote.wire import decode, encode, from_object


@dataclass(frozen=True)
class Widget:
    id: int
    name: str
    price: Decimal
    active: bool


@dataclass(frozen=True)
class Crate:
    label: str
    widgets: list[Widget]


WIDGET = Widget(id=7, name="widget", price=Decimal("9.99"), active=True)


def test_a_dto_survives_the_round_trip_through_json():
    crate = Crate(label="c1", widgets=[WIDGET, Widget(8, "gadget", Decimal("0.01"), False)])
    data = json.loads(json.dumps(encode(crate)))
    assert data["widgets"][0] == {"id": 7, "name": "widget", "price": "9.99", "active": True}
    assert decode(Crate, data) == crate
    assert decode(list[Widget], encode([WIDGET])) == [WIDGET]


@pytest.mark.parametrize("data", [
    {"id": "7", "name": "widget", "price": "9.99", "active": True},
    {"id": True, "name": "widget", "price": "9.99", "active": True},
    {"id": 7, "name": "widget", "price": 9.99, "active": True},
    {"id": 7, "name": "widget", "price": "9.99"},
    [1, 2],
])
def test_a_body_that_does_not_fit_the_dto_is_a_type_error(data):
    with pytest.raises(TypeError):
        decode(Widget, data)


def test_from_object_reads_the_dtos_fields_from_any_object():
    class Row:
        id, name, price, active, extra = 7, "widget", Decimal("9.99"), True, "ignored"

    assert from_object(Widget, Row()) == WIDGET
