"""URL routes accepting each path with and without a trailing slash; `<id:name>` captures an int id."""
from django.urls import path, register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


def routes(*entries) -> list:
    """Each entry is (route, view) or (route, view, name), with route like "products/<id:pk>"."""
    patterns = []
    for route, view, *name in entries:
        patterns.append(path(route, view, name=name[0] if name else None))
        if route:
            patterns.append(path(f"{route}/", view))
    return patterns
