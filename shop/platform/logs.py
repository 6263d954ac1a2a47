"""What every log line carries besides the request id: the process's role and the active trace id."""
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


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: plain lines, or JSON lines (python-json-logger) when log_format is `json`."""
    formatters = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON_FIELDS,
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "shop.platform.request_id.RequestIdLogFilter"},
                    "context": {"()": "shop.platform.logs.LogContextFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format,
                                 "filters": ["request_id", "context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.server": {"level": "WARNING"}},
    }
