"""The bench's goal table: medians of per-round ratios, each goal judged against its target; and a new run of
make bench keeps the hand-written part of docs/benchmarks.md."""
from pathlib import Path

from bench import goals
from bench.drivers import Throughput
from bench.measure import OrderRun
from bench.order_cpu import POSTGRES, OrderCpu, PATHS
from bench.observability import NO_METRICS_TARGET, TRACING_TARGET
from bench.report import BY_HAND, keep_by_hand

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
    assert round(figures["6b"], 3) == 0.889  # 0.889, 0.972, 0.5
    assert figures["6a"] is None and figures["8"] is None  # not run here
    assert figures["6m"] == 1.0
    assert figures["7"] == 2.6
    assert figures["events"] == 300.0
    assert figures["2"] is None  # no Redis variant in this run


def test_the_table_says_which_goals_were_met_and_which_were_not_measured():
    rows = {row.split(" | ")[0].lstrip("| "): row for row in goals.table(_results(), {"1": 0.5})}
    assert rows[goals.GOALS[0].what].endswith("| 0.50 | 0.80 | yes |")
    assert rows[goals.GOALS[1].what].endswith("| - | - | not measured |")
    assert rows[goals.GOALS[3].what].endswith("| 2.50 | **no** |")
    assert rows[goals.GOALS[8].what].endswith("| 2.60 | **no** |")


def test_a_new_run_keeps_the_hand_written_figures_and_replaces_the_rest():
    previous = f"# Benchmarks\n\nold run\n\n{BY_HAND}\n\n## Measured by the tests\n\nfaults\n"
    text = keep_by_hand("# Benchmarks\n\nnew run\n", previous)
    assert "old run" not in text and "new run" in text
    assert text.endswith(f"{BY_HAND}\n\n## Measured by the tests\n\nfaults\n")
    assert keep_by_hand("# Benchmarks\n\nnew run\n", "# Benchmarks\n\nold run\n") == "# Benchmarks\n\nnew run\n"


def test_the_committed_benchmarks_have_one_goal_table_and_a_hand_written_part():
    doc = (ROOT / "docs" / "benchmarks.md").read_text()
    header = "| goal | target |"
    assert doc.count(header) == 1 and doc.count(BY_HAND) == 1
    assert not [page for page in (ROOT / "README.md", *(ROOT / "docs").glob("*.md"))
                if page.name != "benchmarks.md" and header in page.read_text()], "the goal table belongs in docs/benchmarks.md only"
