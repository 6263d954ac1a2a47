"""Reads each app's route declarations (shop/<app>/routes.py) for the URLconfs and the API root."""
from django.utils.module_loading import import_string

from shop.platform.config.pages import page_links
from shop.platform.config.routes import Route, url_patterns
from shop.platform.topology import APPS


def declared(app: str) -> tuple[Route, ...]:
    return import_string(f"shop.{app}.routes.ROUTES")


def hosted_patterns(apps, *, internal: bool) -> list:
    """URL patterns of the public routes of the apps this process hosts, and of their internal routes too
    when `internal` (a split service: the monolith calls its apps in process and mounts none)."""
    return [pattern for app in apps
            for pattern in url_patterns(f"shop.{app}", [r for r in declared(app) if r.public or internal])]


def public_routes() -> list[tuple[str, Route]]:
    """(app, route) for every public route of every app: what the gateway forwards."""
    return [(app, route) for app in APPS for route in declared(app) if route.public]


def root_links() -> dict[str, str]:
    """The API root's links: every app's linked routes, then the platform's own pages."""
    return {route.link: route.template for _, route in public_routes() if route.link} | page_links()
