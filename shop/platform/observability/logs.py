"""What every log line carries besides the request id: the process's role and the active trace id; the
logging configs of Django (LOGGING) and of the web server's own lines, built from one formatter."""
import logging

from django.conf import settings
from opentelemetry import trace

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


def server_logging_config() -> dict | None:
    """granian's log_dictconfig: with SHOP_LOG_FORMAT=json its own lines (start, workers, shutdown) as the app's
    JSON lines on stderr; otherwise None, its plain lines."""
    if settings.SHOP_LOG_FORMAT != "json":
        return None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": FILTERS,
        "formatters": {"json": FORMATTERS["json"]},
        "handlers": {"server": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json",
                                "filters": ["request_id", "context"]}},
        "loggers": {"_granian": {"level": "INFO", "handlers": ["server"], "propagate": False}},
    }
