"""The gateway's own pages: wrapped in the middleware that only answers rendered here use."""
from django.conf import settings
from django.utils.decorators import decorator_from_middleware
from django.utils.module_loading import import_string


def rendered_here(view):
    """`view` inside settings.RENDERING_MIDDLEWARE (the first outermost), which the gateway runs for its own pages
    only: the answers it forwards went through them in the service that rendered them."""
    for dotted in reversed(settings.RENDERING_MIDDLEWARE):
        view = decorator_from_middleware(import_string(dotted))(view)
    return view
