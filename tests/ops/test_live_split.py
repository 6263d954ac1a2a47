"""Split mode as real processes, watched the way an operator would: one trace per request across the
roles and into the stock task, /metrics counting every web worker, JSON log lines, one beat."""
import json
import uuid

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, running
from tests.contract.client import ApiClient, poll
from tests.ops import flow
from tests.ops.metrics_text import samples, value
from tools.otlp_sink import OtlpSink

pytestmark = pytest.mark.split
TOKEN = "ops-test-scrape-token"
ROLES = ("shop-gateway", "shop-orders", "shop-catalog", "shop-inventory")


@pytest.fixture(scope="module")
def sink():
    with OtlpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def stack(sink, tmp_path_factory):
    env = {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100",
           "SHOP_LOG_FORMAT": "json", "SHOP_METRICS_TOKEN": TOKEN, "SHOP_RESERVATION_TTL": "6",
           "SHOP_EXPIRY_INTERVAL": "1"}
    with running("split", tmp_path_factory, extra_env=env, web_workers=2, web_threads=4) as stack:
        yield stack


@pytest.fixture(scope="module")
def product_id(stack):
    return flow.stocked_product(stack.url, quantity=100)


def traceparent() -> tuple[str, dict]:
    trace_id = uuid.uuid4().hex
    return trace_id, {"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}


def spans_of(sink, trace_id: str, until) -> list:
    return poll(lambda: [s for s in sink.spans if s.trace_id == trace_id], until, timeout=15)


def test_placing_an_order_is_one_trace_over_every_role(stack, sink, product_id):
    trace_id, headers = traceparent()
    flow.place(stack.url, product_id, headers=headers)
    def gateway_posts(found):
        return [s for s in found if s.service == "shop-gateway" and s.name == "POST orders"]

    spans = spans_of(sink, trace_id, lambda found: set(ROLES) <= {s.service for s in found} and gateway_posts(found))
    assert set(ROLES) <= {span.service for span in spans}, sorted({(s.service, s.name) for s in spans})
    (gateway_server,) = gateway_posts(spans)
    assert gateway_server.parent_id == headers["traceparent"].split("-")[2]  # continued, not a new trace
    systems = {value for s in spans for key, value in s.attributes if key == "db.system"}
    assert ("postgresql" in systems) == bool(POSTGRES_URL) and ("redis" in systems) == bool(REDIS_URL), systems


def test_paying_is_one_trace_that_reaches_the_stock_commit_task(stack, sink, product_id):
    journey = flow.place(stack.url, product_id)
    trace_id, headers = traceparent()
    flow.pay_and_commit(journey, headers=headers)
    spans = spans_of(sink, trace_id, lambda found: any("inventory.stock_commit" in s.name and s.name.startswith("run")
                                                         for s in found))
    task_spans = [s for s in spans if "inventory.stock_commit" in s.name]
    assert any(s.name.startswith("run") and s.service == "shop-inventory" for s in task_spans), task_spans


def scrape(url: str) -> str:
    response = ApiClient(url).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return response.text


def test_one_scrape_counts_every_web_worker(stack):
    labels = {"route": "/products", "method": "GET", "status": "200"}
    before = value(scrape(stack.url), "shop_http_requests_total", **labels)
    for _ in range(30):
        assert ApiClient(stack.url).get("/products").status_code == 200  # a new connection each time
    assert value(scrape(stack.url), "shop_http_requests_total", **labels) == before + 30
    assert len(list((stack.data_dir / "metrics" / "gateway").rglob("counter_*.db"))) >= 2  # both workers counted


def test_metrics_need_the_token_and_the_gateway_serves_only_its_own(stack, product_id):
    assert ApiClient(stack.url).get("/metrics").status_code == 401
    orders = scrape(stack.role_url("orders"))
    assert "shop_outbox_unsent_messages" in orders
    gateway = scrape(stack.url)
    assert not any(name == "shop_outbox_unsent_messages" for name, _ in samples(gateway))  # its own, not orders'
    assert value(gateway, "shop_http_requests_total", route="/metrics", method="GET", status="401") >= 1
    journey = flow.place(stack.url, product_id)
    flow.pay_and_commit(journey)
    inventory = poll(lambda: scrape(stack.role_url("inventory")),
                     lambda text: value(text, "shop_celery_tasks_total", task="inventory.stock_commit", outcome="success") >= 1)
    assert value(inventory, "shop_celery_tasks_total", task="inventory.stock_commit", outcome="success") >= 1


def test_log_lines_are_json_with_role_request_id_and_trace_id(stack):
    trace_id, headers = traceparent()
    request_id = uuid.uuid4().hex
    ApiClient(stack.url).get("/products/999999999", headers={**headers, "X-Request-ID": request_id})

    def lines(role):
        """Every line of the role's log, the web server's own included, must be a JSON object."""
        text = (stack.data_dir / "logs" / f"{role}.log").read_text()
        return [json.loads(line) for line in text.splitlines()]

    for role in ("gateway", "catalog"):
        found = poll(lambda: [line for line in lines(role) if line.get("request_id") == request_id], bool, timeout=5)
        assert found, f"no JSON line of {role} carries the request id"
        assert all(line["role"] == role and line["trace_id"] == trace_id for line in found), found


def test_one_beat_process_expires_unpaid_orders(stack, product_id):
    assert [name for name in stack.processes if "beat" in name] == ["beat"]
    journey = flow.place(stack.url, product_id)
    order = poll(lambda: journey.customer.get(f"/orders/{journey.order_id}").json(),
                 lambda body: body["status"] == "expired", timeout=30)
    assert order["status"] == "expired"
