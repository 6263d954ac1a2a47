"""deploy/k8s/base/prometheus-rules.yaml: well-formed Prometheus rule groups, every expression valid PromQL
(promql-parser), every shop_* metric it names one the shop exposes, and the kustomize base ships it."""
import re
from pathlib import Path

import promql_parser
import pytest
import yaml
from django.test import Client

from shop.orders.metrics import OrdersInFlight
from shop.platform.messaging.heartbeat import HeartbeatAge
from shop.platform.observability import metrics
from tests.ops.k8s import of_kind, render, OVERLAYS

RULES_FILE = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base" / "prometheus-rules.yaml"
RULES = yaml.safe_load(RULES_FILE.read_text())
ALERTS = {rule["alert"]: rule for group in RULES["groups"] for rule in group["rules"]}
# RabbitMQ's own (rabbitmq_prometheus, per-object metrics): the only metrics the rules read from elsewhere
RABBITMQ = {"rabbitmq_queue_messages_ready", "rabbitmq_queue_consumers"}


def _exposed(tmp_path) -> set[str]:
    """Every metric family name the shop's processes expose (a worker's heartbeat age included)."""
    names = set()
    for metric in (metrics.REQUESTS, metrics.LATENCY, metrics.BREAKER_STATE, metrics.TASKS, metrics.QUEUE_TASKS,
                   metrics.UNREADABLE_FILES):
        for family in metric.describe():
            names |= {family.name, f"{family.name}_total"}
    beat_file = tmp_path / "beat"
    beat_file.touch()
    for collector in (*metrics.SCRAPE_COLLECTORS, OrdersInFlight(), HeartbeatAge(beat_file)):
        names |= {family.name for family in collector.collect()}
    return names


def test_the_rule_file_has_groups_of_named_alerts_with_severity_and_summary():
    assert RULES["groups"] and all(group["name"].startswith("shop-") for group in RULES["groups"])
    for name, rule in ALERTS.items():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, name
        assert rule["labels"]["severity"] in ("warning", "critical"), name
        assert rule["annotations"]["summary"], name
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0m")), name


def test_the_issues_alerts_are_there():
    assert {"ShopQueueConsumerStalled", "ShopWorkerLoopStopped", "ShopDeadLettersGrowing", "ShopOrdersStuckPlacing",
            "ShopOrdersStuckPaying"} <= set(ALERTS)


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_every_expression_is_promql(name):
    promql_parser.parse(ALERTS[name]["expr"])


def test_a_broken_expression_is_caught():
    with pytest.raises(ValueError):
        promql_parser.parse("sum by (queue) (rabbitmq_queue_messages_ready")


@pytest.mark.django_db(databases="__all__")
def test_every_metric_the_rules_read_is_exposed(tmp_path):
    assert Client().get("/metrics").status_code == 200  # the collectors read from a migrated database
    exposed = _exposed(tmp_path)
    for name, rule in ALERTS.items():
        read = set(re.findall(r"\b(shop_[a-z_]+|rabbitmq_[a-z_]+)\b", rule["expr"]))
        assert read, name
        assert read <= exposed | RABBITMQ, (name, read - exposed - RABBITMQ)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlays_ship_the_rules_in_a_config_map(overlay):
    config_maps = of_kind(render(overlay), "ConfigMap")
    assert yaml.safe_load(config_maps["shop-prometheus-rules"]["data"]["prometheus-rules.yaml"]) == RULES
