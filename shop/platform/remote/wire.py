"""The one wire format between services: an app's frozen DTO dataclasses, encoded as JSON and decoded back."""
import dataclasses
import typing
from decimal import Decimal


def encode(value):
    """A DTO, or a list of them, as JSON-ready data: dataclasses become dicts and Decimals strings."""
    if dataclasses.is_dataclass(value):
        return {field.name: encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def decode(kind, data):
    """Parsed JSON as `kind` (a DTO class, list[DTO], Decimal or a JSON type); TypeError when it does not fit."""
    if typing.get_origin(kind) is list:
        (item_kind,) = typing.get_args(kind)
        return [decode(item_kind, item) for item in _checked(list, data)]
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        data = _checked(dict, data)
        return kind(**{field.name: decode(hints[field.name], data.get(field.name))
                       for field in dataclasses.fields(kind)})
    if kind is Decimal:
        return Decimal(_checked(str, data))
    return _checked(kind, data)


def _checked(kind: type, data):
    if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise TypeError(f"expected {kind.__name__}, got {type(data).__name__}")
    return data


def from_object(kind, source):
    """A DTO of `kind` read from the same-named attributes of `source` (for example a model instance)."""
    return kind(**{field.name: getattr(source, field.name) for field in dataclasses.fields(kind)})
