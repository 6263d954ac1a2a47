"""Issue 23's goal table: each goal's figure, a median of per-round ratios taken side by side in one run."""
from dataclasses import dataclass
from typing import Callable

from bench import order_cpu
from bench.drivers import median, percentile
from bench.measure import REDIS_TARGET, SERVER_TARGET
from bench.observability import NO_METRICS_TARGET, SAMPLED_TARGET, TRACING_TARGET


@dataclass(frozen=True)
class Goal:
    key: str
    what: str
    target: str
    met: Callable[[float], bool]


GOALS = (
    Goal("1", "1. split via gateway / monolith, `GET /products/<id>`, breaker state in process (req/s)", ">= 0.80",
         lambda x: x >= 0.80),
    Goal("2", "2. the same with breaker state and fallback cache in Redis, as compose deploys it", ">= 0.75",
         lambda x: x >= 0.75),
    Goal("3", "3. DRF view / bare Django view on the same row (req/s)", ">= 0.85", lambda x: x >= 0.85),
    Goal("4", "4. `POST /orders` in the monolith: CPU per placed order / CPU per order of the bare SQL view",
         "<= 1.5", lambda x: x <= 1.5),
    Goal("5", "5. order placement, split / monolith (orders/s)", ">= 0.75", lambda x: x >= 0.75),
    Goal("6a", "6a. tracing on, one trace in ten sampled / off, split via gateway (req/s)", ">= 0.95",
         lambda x: x >= 0.95),
    Goal("6b", "6b. tracing on, every span (OTLP to a local sink) / off, split via gateway (req/s)", ">= 0.80",
         lambda x: x >= 0.80),
    Goal("6m", "6m. metrics on / off, split via gateway (req/s)", ">= 0.95", lambda x: x >= 0.95),
    Goal("7", "7. total PSS of split / monolith", "<= 2.0", lambda x: x <= 2.0),
    Goal("8", "8. granian / gunicorn gthread (each 2 workers x 4 threads), monolith `GET /products/<id>` (req/s)",
         "reported; adopt only if > 1.0", lambda x: x > 1.0),
    Goal("events", "event latency: p95 pay -> stock committed, worst topology (ms)", "<= 250", lambda x: x <= 250),
)


def ratios(numerators: list, denominators: list) -> list[float]:
    return [n.rps / d.rps for n, d in zip(numerators, denominators)]


def order_ratios(orders: list, numerator: str, denominator: str) -> list[float]:
    """Per round: orders/s of the numerator's run / the denominator's, for the rounds that ran both."""
    by_round = {(o.topology, o.round): o.orders_per_second for o in orders}
    return [by_round[numerator, r] / by_round[denominator, r]
            for (topology, r) in by_round if topology == denominator and (numerator, r) in by_round
            and by_round[denominator, r]]


def per_round(r: dict) -> dict[str, list[float]]:
    """Every goal's per-round values (empty when the run did not measure it)."""
    tput, orders = r["throughput"], r["orders"]
    pick = lambda name: tput.get(name, [])  # noqa: E731
    totals = {t: sum(row[3] for row in rows) for t, rows in r["memory"].items()}
    return {
        "1": ratios(pick("split via gateway"), pick("monolith")),
        "2": ratios(pick(REDIS_TARGET), pick("monolith")),
        "3": ratios(pick("monolith"), pick("bare view (monolith)")),
        "4": [order_cpu.ratio(r["order_cpu"])] if r.get("order_cpu") else [],  # a median over rounds already
        "5": order_ratios(orders, "split", "monolith"),
        "6a": ratios(pick(SAMPLED_TARGET), pick("split via gateway")),
        "6b": ratios(pick(TRACING_TARGET), pick("split via gateway")),
        "6m": ratios(pick("split via gateway"), pick(NO_METRICS_TARGET)),
        "7": [totals["split"] / totals["monolith"]] if totals.get("monolith") else [],
        "8": ratios(pick("monolith"), pick(SERVER_TARGET)),
        "events": [max(percentile(sorted(e["samples_ms"]), 95) for e in r["events"].values())],
    }


def measured(r: dict) -> dict[str, float | None]:
    return {key: median(values) if values else None for key, values in per_round(r).items()}


def table(r: dict, before: dict | None = None) -> list[str]:
    """The goal table in Markdown; `before` (goal key -> figure) adds the baseline's column."""
    now = measured(r)
    head = "| goal | target | " + ("before | " if before is not None else "") + "measured | met |"
    rows = [head, "|---|---|" + ("---|" if before is not None else "") + "---|---|"]
    for goal in GOALS:
        value = now[goal.key]
        was = (before or {}).get(goal.key)
        rows.append(f"| {goal.what} | {goal.target} | " + (f"{_fmt(was)} | " if before is not None else "")
                    + f"{_fmt(value)} | {'not measured' if value is None else 'yes' if goal.met(value) else '**no**'} |")
    violations = sum(len(o.violations) for o in r["orders"])
    rows.append(f"| order invariants, every run | no violation | " + ("| " if before is not None else "")
                + f"{violations} violation(s) | {'yes' if not violations else '**no**'} |")
    return rows


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.2f}"
