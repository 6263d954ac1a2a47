"""One error format everywhere: RFC 9457 problem details (application/problem+json)."""
import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)


class ShopError(Exception):
    """A domain error the caller can act on; each app's client subclasses it."""

    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class ServiceUnavailable(ShopError):
    status = 503
    code = "service-unavailable"
    title = "Service unavailable"


class UpstreamTimeout(ShopError):
    status = 504
    code = "upstream-timeout"
    title = "Upstream timed out"


def problem(status: int, title: str, detail: str | None = None, code: str | None = None, **extra) -> dict:
    body = {"type": f"/problems/{code}" if code else "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return body | extra


def problem_response(status: int, title: str, detail: str | None = None, code: str | None = None,
                     headers: dict | None = None, **extra) -> JsonResponse:
    body = problem(status, title, detail, code, **extra)
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE, headers=headers)


_DRF_CODES = {
    drf.ValidationError: "validation-error",
    drf.ParseError: "malformed-request",
    drf.NotAuthenticated: "not-authenticated",
    drf.AuthenticationFailed: "authentication-failed",
    drf.PermissionDenied: "permission-denied",
    drf.NotFound: "not-found",
    drf.MethodNotAllowed: "method-not-allowed",
    drf.UnsupportedMediaType: "unsupported-media-type",
    drf.NotAcceptable: "not-acceptable",
    drf.Throttled: "throttled",
}


def exception_handler(exc, context):
    """DRF exception handler that renders every error as a problem document."""
    if isinstance(exc, ShopError):
        return problem_response(exc.status, exc.title, exc.detail, exc.code)
    if isinstance(exc, DatabaseOperationalError):  # e.g. the database is down or out of connections
        logger.error("database unavailable: %s", exc)
        return problem_response(503, "Service unavailable", "The database is unavailable; retry shortly.",
                                "database-unavailable", headers={"Retry-After": "1"})
    if isinstance(exc, RequestDataTooBig):
        return problem_response(413, "Request body too large", str(exc), "body-too-large")
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled error", exc_info=exc)
        return problem_response(500, "Internal server error", None, "internal-error")
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, drf.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        result = problem_response(400, "Invalid input", "The request body or query is not valid.", code, errors=errors)
    else:
        detail = exc.detail.get("detail", "") if isinstance(exc.detail, dict) else exc.detail  # simplejwt nests it
        result = problem_response(response.status_code, HTTPStatus(response.status_code).phrase, str(detail), code)
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            result[header] = response[header]
    return result


@csrf_exempt  # an unknown path is a 404 for every method
def not_found(request, exception=None, **kwargs):
    return problem_response(404, "Not found", f"No route for {request.path}.", "not-found")


def csrf_failure(request, reason=""):
    return problem_response(403, "Forbidden", f"CSRF check failed: {reason}", "csrf-failed")


def bad_request(request, exception=None):
    return problem_response(400, "Bad request", None, "bad-request")


def server_error(request):
    return problem_response(500, "Internal server error", None, "internal-error")
