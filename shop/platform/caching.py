"""HTTP caching of public reads: an ETag (ConditionalGetMiddleware) that clients revalidate every time."""
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control

# Anyone may store the answer, but must revalidate it (If-None-Match → 304) before reuse: a price or a
# stock level changed by staff is never served stale from a browser's or a proxy's cache.
revalidated_public_read = method_decorator(cache_control(public=True, no_cache=True))
