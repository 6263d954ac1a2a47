"""A client span per SQL statement of a sampled trace, in place of opentelemetry-instrumentation-psycopg (issue 23):
that one started a span and recorded a metric for every statement, sampled or not. Here a sampled request (the
server span) or task installs one wrapper per connection with Django's documented `execute_wrapper`; an
unsampled one installs nothing. Spans are named and attributed as the library names them (the semantic
conventions it uses by default: db.system, db.name, db.statement)."""
from contextlib import ExitStack, contextmanager

from celery.signals import task_postrun, task_prerun
from django.db import connections
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from shop.platform.observability.telemetry import tracer


def statement_span(execute, sql, params, many, context):
    """Django's execute wrapper: the statement runs inside a client span."""
    connection = context["connection"]
    attributes = {"db.system": connection.vendor, "db.name": connection.settings_dict["NAME"], "db.statement": sql}
    name = sql.split(None, 1)[0] if sql.strip() else connection.settings_dict["NAME"]  # the library's name
    with tracer(__name__).start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes):
        return execute(sql, params, many, context)


@contextmanager
def statement_spans():
    """Inside the block, every statement on this thread's connections (every database alias) gets a span."""
    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(statement_span))
        yield


class SampledTasks:
    """Statement spans inside the Celery tasks whose span is recording (the Celery instrumentation's task span,
    current from its own task_prerun receiver, connected before this one)."""

    def __init__(self):
        self.open: dict[str, ExitStack] = {}  # task id -> its wrappers (a worker runs tasks in several threads)

    def connect(self) -> None:
        task_prerun.connect(self.started, weak=False)
        task_postrun.connect(self.finished, weak=False)

    def disconnect(self) -> None:
        task_prerun.disconnect(self.started)
        task_postrun.disconnect(self.finished)

    def started(self, task_id=None, **kwargs) -> None:
        if trace.get_current_span().is_recording():
            stack = ExitStack()
            stack.enter_context(statement_spans())
            self.open[task_id] = stack

    def finished(self, task_id=None, **kwargs) -> None:
        stack = self.open.pop(task_id, None)
        if stack is not None:
            stack.close()
