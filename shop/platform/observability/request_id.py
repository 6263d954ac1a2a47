"""Request ids: taken from X-Request-ID or generated, echoed back, and stamped on every log line."""
import contextvars
import logging
import re
import uuid

from shop.platform.observability.logs import ENVIRON_REQUEST_ID, ENVIRON_TRACE_ID, current_trace_id

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """Takes X-Request-ID from the caller (or makes one), logs with it and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id, request.trace_id = request_id, current_trace_id()
        request.META[ENVIRON_REQUEST_ID], request.META[ENVIRON_TRACE_ID] = request.request_id, request.trace_id  # gunicorn's access line
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
