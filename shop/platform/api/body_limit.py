"""A cap on request body size, enforced before the body is parsed."""
from django.conf import settings

from shop.platform.errors import problem_response

DRAIN_LIMIT = 16 * 1024 * 1024


def _discard_body(request, length: int) -> None:
    """Reads and drops a refused body, so the keep-alive connection stays in sync for the next request."""
    stream, remaining = request.META["wsgi.input"], min(length, DRAIN_LIMIT)
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            return
        remaining -= len(chunk)


class BodySizeLimitMiddleware:
    """Refuses declared bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 without parsing them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem_response(400, "Bad request", "Content-Length is not a number.", "bad-request")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            _discard_body(request, length)
            return problem_response(413, "Request body too large",
                                    f"Bodies are limited to {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
                                    "body-too-large")
        return self.get_response(request)
