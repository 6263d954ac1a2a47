"""Routes that accept each path with and without a trailing slash."""
from django.urls import re_path


def route(pattern: str, view, name: str | None = None):
    """`pattern` is a regex body without anchors or trailing slash, e.g. r"products/(?P<pk>[0-9]{1,18})"."""
    return re_path(rf"^{pattern}/?$", view, name=name)
