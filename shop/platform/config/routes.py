"""Route declarations and the URL patterns built from them.

Every path is accepted with and without a trailing slash; `<id:name>` captures an int id. An app declares
its routes once, as `Route`s in `shop/<app>/routes.py`; URLconfs, the gateway's table and the API root
are derived from those declarations (see shop/app_routes.py)."""
import re
from dataclasses import dataclass

from django.urls import path, register_converter
from django.utils.module_loading import import_string


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


@dataclass(frozen=True)
class Route:
    """One route of an app: `view` is a dotted path relative to the app package ("api.WidgetListApi"),
    so the declaration can be read by processes that do not host the app (the gateway)."""

    path: str
    view: str
    name: str
    public: bool = True  # False: service-to-service only, never forwarded by the gateway
    link: str | None = None  # the key under which the API root lists this route
    callers: tuple[str, ...] = ()  # an internal route: the apps whose service credential it admits

    @property
    def template(self) -> str:
        """The path as the API root shows it: "widgets/<id:widget_id>" -> "/widgets/{widget_id}"."""
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.path)


class RoutePath(str):
    """A route's path with its parameters filled in, and `callers`: the apps its route admits (a process
    hosting several apps signs its call as one of them)."""

    callers: tuple[str, ...] = ()


def path_to(declared, name: str, **params) -> RoutePath:
    """The path of the route called `name` among `declared`, with its parameters filled in."""
    route = next(route for route in declared if route.name == name)
    path = RoutePath(route.template.format(**params))
    path.callers = route.callers
    return path


def routes(*entries) -> list:
    """Each entry is (route, view) or (route, view, name), with route like "widgets/<id:widget_id>"."""
    patterns = []
    for route, view, *name in entries:
        patterns.append(path(route, view, name=name[0] if name else None))
        if route:
            patterns.append(path(f"{route}/", view))
    return patterns


def url_patterns(package: str, declared) -> list:
    """The URL patterns of `declared` routes, whose views live in `package` ("shop.<app>")."""
    return routes(*((route.path, _view(package, route), route.name) for route in declared))


def _view(package: str, route: Route):
    view = import_string(f"{package}.{route.view}")
    return view.as_view(callers=route.callers) if route.callers else view.as_view()
