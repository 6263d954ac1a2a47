"""What every log line carries besides the request id: the process's role and the active trace id; the
logging configs of Django (LOGGING) and gunicorn (its own error and access lines) built from one formatter."""
import logging

from django.conf import settings
from opentelemetry import trace

ENVIRON_REQUEST_ID, ENVIRON_TRACE_ID = "shop.request_id", "shop.trace_id"  # WSGI environ keys
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(role)s %(request_id)s %(trace_id)s"


def current_trace_id() -> str:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else "-"


class LogContextFilter(logging.Filter):
    """Adds role and trace_id. django.request logs a 4xx/5xx after the request's middleware has returned,
    so for those lines the ids come from the request, where RequestIdMiddleware left them."""

    def filter(self, record):
        record.role = settings.SHOP_SERVICE
        record.trace_id = current_trace_id()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "request_id"):
            record.request_id = request.request_id
            record.trace_id = getattr(request, "trace_id", record.trace_id)
        return True


class AccessLogFilter(logging.Filter):
    """gunicorn's access lines are written after the request has left Django: their request id and trace
    id are those RequestIdMiddleware left in the WSGI environ (gunicorn's `{key}e` atoms)."""

    def filter(self, record):
        atoms = record.args  # gunicorn's SafeAtoms: "-" for a key it lacks
        record.request_id = atoms[f"{{{ENVIRON_REQUEST_ID}}}e"]
        record.trace_id = atoms[f"{{{ENVIRON_TRACE_ID}}}e"]
        return True


FORMATTERS = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON_FIELDS,
             "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
}
FILTERS = {"request_id": {"()": "shop.platform.observability.request_id.RequestIdLogFilter"},
           "context": {"()": "shop.platform.observability.logs.LogContextFilter"}}


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: plain lines, or JSON lines (python-json-logger) when log_format is `json`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": FILTERS,
        "formatters": {log_format: FORMATTERS[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format,
                                 "filters": ["request_id", "context"]}},
        "root": {"handlers": ["console"], "level": level},
        # "django": drops the handlers of Django's default config (in DEBUG its console handler wrote each
        # django.request line a second time, as bare text); its lines reach the root handler alone.
        "loggers": {"django": {"handlers": [], "level": "INFO"}, "django.server": {"level": "WARNING"}},
    }


def gunicorn_logging_config(accesslog: str | None) -> dict:
    """gunicorn's logconfig_dict: with SHOP_LOG_FORMAT=json, its error lines (stderr) and access lines (stdout,
    or the `accesslog` file; only when accesslog is set) as the app's JSON lines; otherwise {}: gunicorn's own."""
    if settings.SHOP_LOG_FORMAT != "json":
        return {}
    to_stdout = accesslog in (None, "-")
    access = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"} if to_stdout else \
        {"class": "logging.FileHandler", "filename": accesslog}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": FILTERS | {"access": {"()": "shop.platform.observability.logs.AccessLogFilter"}},
        "formatters": {"json": FORMATTERS["json"]},
        "handlers": {"error": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json",
                               "filters": ["request_id", "context"]},
                     "access": {**access, "formatter": "json", "filters": ["request_id", "context", "access"]}},
        "root": {"level": "INFO", "handlers": ["error"]},
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
                    # gunicorn logs every request once logconfig_dict is set: only INFO lets them through
                    "gunicorn.access": {"level": "INFO" if accesslog else "WARNING", "handlers": ["access"],
                                        "propagate": False}},
    }
