"""A cap on request body size, enforced before the body is read."""
from django.conf import settings

from shop.platform.errors import problem_response

class BodySizeLimitMiddleware:
    """Refuses declared bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before reading them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem_response(400, "Bad request", "Content-Length is not a number.", "bad-request")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return problem_response(413, "Request body too large",
                                    f"Bodies are limited to {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
                                    "body-too-large")
        return self.get_response(request)
