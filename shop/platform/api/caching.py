"""HTTP caching of public reads: an ETag (ConditionalGetMiddleware) that clients revalidate every time."""
from functools import wraps

from django.utils.cache import patch_cache_control

REVALIDATED_PUBLIC = "public, no-cache"


def revalidated_public_read(method):
    """Decorates a view's read method: anyone may store the answer, but must revalidate it (If-None-Match →
    304) before reuse, so a price or a stock level changed by staff is never served stale from a browser's or
    a proxy's cache. A plain decorator: Django's method_decorator builds a new wrapper on every call."""

    @wraps(method)
    def read(view, request, *args, **kwargs):
        response = method(view, request, *args, **kwargs)
        if response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, no_cache=True)
        else:  # what patch_cache_control writes on a response without the header, without parsing one
            response.headers["Cache-Control"] = REVALIDATED_PUBLIC
        return response

    return read
