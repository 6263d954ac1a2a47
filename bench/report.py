"""The results as Markdown: setup, the goals, one section per figure, and the profiles before and after."""
import statistics
from pathlib import Path

from bench import goals, order_cpu
from bench.drivers import median, percentile
from bench.goals import order_ratios, ratios
from bench.measure import REDIS_TARGET, SERVER_TARGET
from bench.observability import NO_METRICS_TARGET, SAMPLED_TARGET, SINK_GROUP, TRACING_TARGET
from bench.report_profiles import profiles

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"
BY_HAND = "<!-- Written by hand from here on: make bench keeps it. -->"


def cpu_cost(run, topology: str) -> float:
    """CPU ms per request spent by one topology's processes and its PostgreSQL backends."""
    return sum(ms for group, ms in run.cpu_ms.items() if group.startswith(f"{topology} "))


def cpu_ratios(numerators: list, n_topology: str, denominators: list, d_topology: str) -> list[float]:
    """Throughput ratio predicted by CPU per request: denominator's cost over numerator's."""
    return [cpu_cost(d, d_topology) / cpu_cost(n, n_topology) for n, d in zip(numerators, denominators)
            if cpu_cost(n, n_topology)]


def goal_table(r: dict, before: dict | None) -> list[str]:
    """The goal table, as docs/benchmarks.md shows it."""
    return goals.table(r, before["goals"] if before else None)


def render(r: dict, before: dict | None = None) -> str:
    meta, plan = r["meta"], r["plan"]
    return "\n".join([
        "# Benchmarks", "",
        f"Written by `{meta['command']}` on {meta['date']} ({plan.name} plan). Every ratio compares runs made side by "
        "side in this one run, on one machine, with both topologies up at once; the load came from separate "
        "processes on loopback. Rerun with `make bench` (needs the local PostgreSQL, RabbitMQ and Redis, and wrk; "
        "`python -m bench --help` says more).", "",
        "## Setup", "", "| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in meta["setup"].items()], "",
        "## Goals (issue 23)", "",
        "Each figure is the median of per-round ratios taken side by side in this run"
        + (f"; 'before' is {before['source']}." if before else "."), "",
        *goal_table(r, before), "",
        *_reads(r, before), *_orders(r), *_events(r), *_memory(r),
        *profiles(r["profiles"], before["profiles"] if before else {}), *_analysis(),
    ]) + "\n"


def _reads(r: dict, before: dict | None) -> list[str]:
    plan, tput, lat = r["plan"], r["throughput"], r["latency"]
    was = (before or {}).get("rps_per_round", {})
    hop = median(lat["split via gateway"]) - median(lat["split catalog service direct"])
    return [
        "## 1-3, 6. GET /products/<id>", "",
        f"wrk, {plan.wrk_threads} threads, {plan.wrk_connections} keep-alive connections, {plan.wrk_seconds:g} s per "
        f"measured run after a {plan.warmup_seconds:g} s warm-up, {plan.rounds} round(s); within a round the targets "
        "run one after the other in the order below, reversed in every other round, and each connects afresh. "
        "Figures, and ratios, are medians over rounds of the per-round values. The spread of a target's per-round "
        "req/s (max/min, and the coefficient of variation) shows whether rounds swing: a gthread worker keeps each "
        "keep-alive connection it accepts, so when one worker accepts most of wrk's connections only one core "
        "works (bench/analysis.md says what was tried). 'busiest worker' is the "
        "serving role's busiest web worker's share of its workers' CPU, median (max) over rounds: 0.50 is an "
        "even split over the 2 workers, 1.00 one worker doing everything.", "",
        "| target | req/s | p50 ms | p99 ms | req/s per round | max/min | CV | max/min before | busiest worker |",
        "|---|---|---|---|---|---|---|---|---|",
        *[f"| {name} | {median([x.rps for x in runs]):.0f} | {median([x.p50_ms for x in runs]):.2f} | "
          f"{median([x.p99_ms for x in runs]):.2f} | {', '.join(f'{x.rps:.0f}' for x in runs)} | "
          f"{_spread([x.rps for x in runs])} | {_cv([x.rps for x in runs])} | {_spread(was.get(name, []))} | "
          f"{_busiest(runs)} |"
          for name, runs in tput.items()], "",
        *_ratio_lines(tput), "",
        "CPU per request, from /proc during the same measured runs (medians over rounds, ms). It is less "
        "sensitive than req/s to what else the machine was doing (contention still inflates it), so it "
        "cross-checks the ratios: "
        f"split/monolith by CPU **{median(cpu_ratios(tput['split via gateway'], 'split', tput['monolith'], 'monolith')):.2f}**,"
        f" DRF/bare by CPU **{median(cpu_ratios(tput['monolith'], 'monolith', tput['bare view (monolith)'], 'monolith')):.2f}**.",
        "", *_cpu_table(tput), "", *_floor(tput), "", *_otlp(r), "",
        "### One gateway hop at concurrency 1", "",
        f"{plan.rounds} round(s) of {plan.latency_requests} sequential GETs per target, one keep-alive connection.", "",
        "| target | requests | p50 ms | p99 ms |", "|---|---|---|---|",
        *[f"| {name} | {len(s)} | {median(s):.2f} | {percentile(sorted(s), 99):.2f} |" for name, s in lat.items()], "",
        f"Added latency of one gateway hop (p50 via gateway - p50 catalog direct): **{hop:.2f} ms**; "
        f"split via gateway - monolith: {median(lat['split via gateway']) - median(lat['monolith']):.2f} ms.", "",
    ]


def _ratio_lines(tput: dict) -> list[str]:
    lines = []
    for label, num, den in (("split via gateway / monolith", "split via gateway", "monolith"),
                            (f"{REDIS_TARGET} / monolith", REDIS_TARGET, "monolith"),
                            ("DRF view / bare Django view (the selector's query and a model instance, JsonResponse)",
                             "monolith", "bare view (monolith)"),
                            ("DRF view / bare view reading .values() (no model instance either)", "monolith",
                             "bare view reading values() (monolith)"),
                            ("catalog service direct / monolith", "split catalog service direct", "monolith"),
                            ("granian / gunicorn gthread, monolith", "monolith", SERVER_TARGET),
                            ("tracing on, one trace in ten / off, split via gateway", SAMPLED_TARGET,
                             "split via gateway"),
                            ("tracing on, every span / off, split via gateway", TRACING_TARGET, "split via gateway"),
                            ("metrics on / off, split via gateway", "split via gateway", NO_METRICS_TARGET)):
        if num in tput and den in tput:
            values = ratios(tput[num], tput[den])
            lines.append(f"- {label}: **{median(values):.2f}** (per round: {_list(values)})")
    return lines


def _cpu_table(tput: dict) -> list[str]:
    rows = ["| target | shop processes | their PostgreSQL | shop total | Redis server | OTLP sink | load generator | "
            "other processes (noise) |", "|---|---|---|---|---|---|---|---|"]
    for name, runs in tput.items():
        groups = sorted({g for run in runs for g in run.cpu_ms})
        ms = {g: median([run.cpu_ms.get(g, 0.0) for run in runs]) for g in groups}
        shop = [g for g in groups if not g.endswith("PostgreSQL") and _of_a_stack(g) and ms[g] >= 0.05]
        database = sum(v for g, v in ms.items() if g.endswith("PostgreSQL"))
        total = sum(v for g, v in ms.items() if _of_a_stack(g))
        rows.append(f"| {name} | " + " + ".join(f"{g.split(' ', 1)[1]} {ms[g]:.2f}" for g in shop)
                    + f" | {database:.2f} | **{total:.2f}** | {ms.get('Redis server', 0):.2f} | "
                    f"{ms.get(SINK_GROUP, 0):.2f} | {ms.get('load generator', 0):.2f} | {ms.get('other processes', 0):.2f} |")
    return rows


def _of_a_stack(group: str) -> bool:
    """A process group of one of the stacks (named `<variant> <process>`, every variant a monolith or a split)."""
    return group.split(" ", 1)[0].split("+", 1)[0] in ("monolith", "split")


def _floor(tput: dict) -> list[str]:
    empty, direct = tput.get("gateway process, empty Django view"), tput["split catalog service direct"]
    if not empty:
        return []
    floor = median([run.cpu_ms.get("split gateway", 0.0) for run in empty])
    forward = median([run.cpu_ms.get("split gateway", 0.0) for run in tput["split via gateway"]])
    mono = median([cpu_cost(run, "monolith") for run in tput["monolith"]])
    best = mono / (median([cpu_cost(run, "split") for run in direct]) + floor)
    return [f"The gateway's floor: an empty Django view in the gateway process costs {floor:.2f} ms of CPU per "
            f"request ({median([run.rps for run in empty]):.0f} req/s), of the {forward:.2f} ms a forwarded GET costs "
            f"there. A gateway that forwarded for free on top of that floor would make split/monolith by CPU at "
            f"best {best:.2f} on this machine."]


def _otlp(r: dict) -> list[str]:
    otlp = r.get("otlp")
    if not otlp:
        return []
    return [f"Goal 6: the tracing variant exports every span over OTLP/HTTP (the SDK's BatchSpanProcessor) to "
            f"`tools/otlp_sink.py` in the bench process, which received {otlp['exports']} exports "
            f"({otlp['bytes'] / 2**20:.1f} MiB) and discarded them undecoded: a real collector runs elsewhere. "
            "Its CPU is the 'OTLP sink' column, counted in neither topology."]


def _orders(r: dict) -> list[str]:
    plan, orders = r["plan"], r["orders"]
    split = order_ratios(orders, "split", "monolith")
    return [
        "## 4-5. Order placement (PostgreSQL)", "",
        f"{plan.order_clients} clients, each its own customer with a keep-alive connection, place one-line orders "
        f"(1-{plan.max_quantity} units, with an Idempotency-Key) on {plan.hot_products} hot products for "
        f"{plan.order_seconds:g} s; one product holds only {plan.scarce_stock} units, so refusals happen. Each "
        "run uses fresh products. After each run the stock is read back through the API: reserved + committed "
        "<= stocked, reserved = the units of the placed orders, every refusal a 409 insufficient-stock problem. "
        "CPU per placed order is read from /proc around each run: the stack's processes (Celery included) and "
        "their PostgreSQL backends.", "",
        "| topology | round | attempts | placed | refused (409) | orders/s | p50 ms | p99 ms | CPU ms/order | invariants |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[f"| {o.topology} | {o.round} | {o.attempts} | {o.placed} | {o.refused} | {o.orders_per_second:.1f} | "
          f"{o.p50_ms:.1f} | {o.p99_ms:.1f} | {_order_cpu(o)} | {'ok' if not o.violations else '; '.join(o.violations)} |"
          for o in orders], "",
        f"split / monolith orders/s: **{median(split):.2f}** (per round: {_list(split)})", "",
        *_order_cpu_runs(r.get("order_cpu", [])),
    ]


def _order_cpu_runs(runs: list) -> list[str]:
    if not runs:
        return []
    return [
        "### 4. CPU per placed order: POST /orders against the bare SQL view", "",
        "`bench.order_cpu` on the monolith: the order clients post one-line orders on plentiful products through "
        "`POST /orders`, then through a bare Django view that runs the same SQL statements in the same "
        "transactions (`bench/bare_orders.py`), in rounds that alternate which goes first. CPU from /proc: the "
        "monolith's web server processes and their PostgreSQL backends, per placed order.", "",
        "| path | round | placed | CPU ms/order: web server | PostgreSQL | total |", "|---|---|---|---|---|---|",
        *[f"| {run.target} | {run.round} | {run.placed} | {run.cpu_ms.get('monolith', 0):.2f} | "
          f"{run.cpu_ms.get(order_cpu.POSTGRES, 0):.2f} | {run.shop_total:.2f} |" for run in runs], "",
        f"POST /orders / bare view, CPU per placed order: **{order_cpu.ratio(runs):.2f}** (web server alone "
        f"{order_cpu.ratio(runs, group='monolith'):.2f}, PostgreSQL alone {order_cpu.ratio(runs, group=order_cpu.POSTGRES):.2f})", "",
    ]


def _order_cpu(o) -> str:
    prefix = "split " if o.topology == "split" else "monolith "
    return f"{sum(ms for g, ms in getattr(o, 'cpu_ms', {}).items() if g.startswith(prefix)):.1f}"


def _events(r: dict) -> list[str]:
    return [
        "## Event latency: POST /orders/<id>/pay returning -> stock committed (RabbitMQ)", "",
        "One client places and pays one-unit orders, then polls GET /inventory/<product> every 2 ms through the "
        "public entry point until on_hand drops; the figure includes that polling's resolution (one GET).", "",
        "| topology | samples | p50 ms | p95 ms | max ms | not seen within 5 s |", "|---|---|---|---|---|---|",
        *[f"| {t} | {len(e['samples_ms'])} | {median(e['samples_ms']):.1f} | "
          f"{percentile(sorted(e['samples_ms']), 95):.1f} | {max(e['samples_ms'], default=float('nan')):.1f} | "
          f"{e['missed']} |" for t, e in r["events"].items()], "",
    ]


def _memory(r: dict) -> list[str]:
    totals = {t: (sum(row[2] for row in rows) / 1024, sum(row[3] for row in rows) / 1024) for t, rows in r["memory"].items()}
    return [
        "## 7. Memory: RSS and PSS of every process, after the runs", "",
        "RSS counts the pages a forked web worker shares with its main process in both; PSS splits shared pages "
        "among the processes that share them, so PSS adds up to what the topology really occupies.", "",
        "| topology | process | pid | RSS MiB | PSS MiB |", "|---|---|---|---|---|",
        *[f"| {t} | {name} | {pid} | {rss / 1024:.1f} | {pss / 1024:.1f} |"
          for t, rows in r["memory"].items() for name, pid, rss, pss in rows],
        *[f"| {t} | **total** | | **{rss:.0f}** | **{pss:.0f}** |" for t, (rss, pss) in totals.items()], "",
        f"split / monolith by PSS: **{totals['split'][1] / totals['monolith'][1]:.2f}**", "",
    ]


def keep_by_hand(rendered: str, previous: str) -> str:
    """The rendered report followed by what the previous one held from its BY_HAND marker on (figures
    measured by the tests, not by the bench), so that a new run never drops them."""
    start = previous.find(BY_HAND)
    return rendered if start < 0 else rendered.rstrip("\n") + "\n\n" + previous[start:]


def _analysis() -> list[str]:
    return [ANALYSIS.read_text().strip(), ""] if ANALYSIS.exists() else []


def _spread(values: list[float]) -> str:
    return f"{max(values) / min(values):.2f}" if values and min(values) > 0 else "-"


def _cv(values: list[float]) -> str:
    return f"{statistics.pstdev(values) / statistics.mean(values):.2f}" if len(values) > 1 else "-"


def _busiest(runs: list) -> str:
    shares = [x.busiest_worker for x in runs if x.busiest_worker == x.busiest_worker]  # nan: not recorded
    return f"{median(shares):.2f} ({max(shares):.2f})" if shares else "-"


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)
