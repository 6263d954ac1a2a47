"""Request ids: taken from X-Request-ID or generated, echoed back, and stamped on every log line; with
SHOP_ACCESS_LOG, one access line per request, carrying them."""
import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.http.request import HttpHeaders

from shop.platform.observability.logs import current_trace_id

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = HttpHeaders.to_wsgi_name(REQUEST_ID_HEADER)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("shop.access")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


def request_id_from(environ: dict) -> str:
    """The caller's X-Request-ID (from a WSGI environ or request.META) when it is a sane one, else a new id."""
    incoming = environ.get(_REQUEST_ID_KEY, "")
    return incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def log_access(request, status: int, started: float) -> None:
    """The access line of an answered request, with SHOP_ACCESS_LOG; `started` is its time.perf_counter()."""
    if settings.SHOP_ACCESS_LOG:
        access_logger.info('"%s %s" %s %.1f ms', request.method, request.get_full_path(), status,
                           (time.perf_counter() - started) * 1000)


class RequestIdMiddleware:
    """Takes X-Request-ID from the caller (or makes one), logs with it and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META)
        request.request_id, request.trace_id = request_id, current_trace_id()
        token = request_id_var.set(request_id)
        try:
            started = time.perf_counter()
            response = self.get_response(request)
            log_access(request, response.status_code, started)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
