"""The bench's goal table: medians of per-round ratios, each goal judged against its target, and the
README's copy identical to the committed docs/benchmarks.md (make bench writes both)."""
from pathlib import Path

from bench import goals
from bench.drivers import Throughput
from bench.measure import OrderRun
from bench.order_cpu import POSTGRES, OrderCpu, PATHS
from bench.observability import NO_METRICS_TARGET, TRACING_TARGET
from bench.report import README_END, README_START

ROOT = Path(__file__).resolve().parent.parent


def _runs(*rps: float) -> list[Throughput]:
    return [Throughput(rps=x, p50_ms=1.0, p99_ms=2.0, requests=100, errors=0) for x in rps]


def _order(topology: str, round_: int, placed: int) -> OrderRun:
    return OrderRun(topology, round_, placed, placed, 0, 10.0, 1.0, 2.0)


def _order_cpu(round_: int, real_ms: float, bare_ms: float) -> list[OrderCpu]:
    real, bare = PATHS
    return [OrderCpu(real, round_, 10, {"monolith": real_ms - 1, POSTGRES: 1.0}),
            OrderCpu(bare, round_, 10, {"monolith": bare_ms - 1, POSTGRES: 1.0})]


def _results() -> dict:
    return {
        "throughput": {"bare view (monolith)": _runs(100, 100, 100), "monolith": _runs(90, 80, 50),
                       "split via gateway": _runs(45, 72, 40), TRACING_TARGET: _runs(40, 70, 20),
                       NO_METRICS_TARGET: _runs(45, 72, 40)},
        "orders": [_order("monolith", 1, 100), _order("split", 1, 80), _order("monolith", 2, 100), _order("split", 2, 60)],
        "order_cpu": [*_order_cpu(1, 6.0, 2.0), *_order_cpu(2, 4.0, 2.0)],
        "memory": {"monolith": [("m", 1, 0, 100)], "split": [("s", 2, 0, 260)]},
        "events": {"monolith": {"samples_ms": [10.0, 20.0]}, "split": {"samples_ms": [30.0, 300.0]}},
    }


def test_each_goal_is_the_median_of_its_per_round_ratios():
    figures = goals.measured(_results())
    assert figures["1"] == 0.8  # split / monolith per round: 0.5, 0.9, 0.8
    assert figures["3"] == 0.8
    assert figures["4"] == 2.5  # CPU per order, monolith / bare: 3.0, 2.0
    assert figures["5"] == 0.7  # orders/s: 0.8, 0.6
    assert round(figures["6t"], 3) == 0.889  # 0.889, 0.972, 0.5
    assert figures["6m"] == 1.0
    assert figures["7"] == 2.6
    assert figures["events"] == 300.0
    assert figures["2"] is None  # no Redis variant in this run


def test_the_table_says_which_goals_were_met_and_which_were_not_measured():
    rows = {row.split(" | ")[0].lstrip("| "): row for row in goals.table(_results(), {"1": 0.5})}
    assert rows[goals.GOALS[0].what].endswith("| 0.50 | 0.80 | yes |")
    assert rows[goals.GOALS[1].what].endswith("| - | - | not measured |")
    assert rows[goals.GOALS[3].what].endswith("| 2.50 | **no** |")
    assert rows[goals.GOALS[7].what].endswith("| 2.60 | **no** |")


def _between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin:text.index(end, begin)]


def test_the_readme_shows_the_goal_table_of_the_committed_benchmarks():
    readme = _between((ROOT / "README.md").read_text(), README_START, README_END)
    table = [line for line in readme.splitlines() if line.startswith("|")]
    doc = (ROOT / "docs" / "benchmarks.md").read_text()
    assert table, "README has no goal table between its markers: run make bench (or python -m bench --rerender)"
    assert "\n".join(table) in _between(doc, "## Goals", "\n## ")
