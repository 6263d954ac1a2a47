"""Content negotiation that answers the common case at once: no ?format= and an Accept header that is
absent, */* or application/json, which the first renderer (JSON) serves. Anything else goes through DRF's
own negotiation, which parses every media type."""
from rest_framework.negotiation import DefaultContentNegotiation

PLAIN_ACCEPTS = frozenset(("*/*", "application/json"))


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0] if renderers else None
        if first is not None and first.media_type == "application/json" and not format_suffix \
                and request.META.get("HTTP_ACCEPT", "*/*") in PLAIN_ACCEPTS \
                and f"{self.settings.URL_FORMAT_OVERRIDE}=" not in request.META.get("QUERY_STRING", ""):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
