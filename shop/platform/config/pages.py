"""The site's own pages (not an app's routes), each path written once: both URLconfs mount them with their
own views, the API root links them, and the health checks, the worker's metrics server and the runserver
banner call them by these paths."""
from dataclasses import dataclass

from django.urls import include, path

from shop.platform.config.routes import routes


@dataclass(frozen=True)
class Page:
    path: str
    link: str | None = None  # the key under which the API root lists this page
    slash: bool = True  # whether the API root and callers write the path with a trailing slash

    @property
    def url(self) -> str:
        return f"/{self.path}/" if self.slash else f"/{self.path}"


# URL name -> page; served with and without the trailing slash.
PAGES = {
    "health": Page("health", link="health"),
    "health-live": Page("health/live", link="live", slash=False),
    "schema": Page("schema", link="schema"),
    "docs": Page("docs", link="docs"),
    "redoc": Page("redoc", link="redoc"),
    "metrics": Page("metrics", slash=False),  # each role's own, never an upstream's
}
LOGIN_PAGE = Page("api-auth/login", link="login-page")
# DRF's login and logout pages by their URL name in its "rest_framework" namespace (the path's last part),
# served with the trailing slash only, as rest_framework.urls does.
SESSION_PAGES = {page.path.rpartition("/")[2]: page for page in (LOGIN_PAGE, Page("api-auth/logout"))}


def page_patterns(views: dict) -> list:
    """URL patterns of the site's pages, from this URLconf's view for each page's URL name."""
    return routes(*((PAGES[name].path, view, name) for name, view in views.items()))


def session_patterns(views: dict) -> list:
    """URL patterns of the session pages (rest_framework:login, rest_framework:logout), from this URLconf's views."""
    pages = [path(f"{SESSION_PAGES[name].path}/", view, name=name) for name, view in views.items()]
    return [path("", include((pages, "rest_framework")))]


def page_links() -> dict[str, str]:
    """The API root's links to the site's pages."""
    return {page.link: page.url for page in (*PAGES.values(), *SESSION_PAGES.values()) if page.link}
