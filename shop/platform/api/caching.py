"""HTTP caching of public reads: an ETag (ConditionalGetMiddleware) that clients revalidate every time."""
from functools import wraps

from django.utils.cache import patch_cache_control


def revalidated_public_read(method):
    """Decorates a view's read method: anyone may store the answer, but must revalidate it (If-None-Match →
    304) before reuse, so a price or a stock level changed by staff is never served stale from a browser's or
    a proxy's cache. A plain decorator: Django's method_decorator builds a new wrapper on every call."""

    @wraps(method)
    def read(view, request, *args, **kwargs):
        response = method(view, request, *args, **kwargs)
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return read
