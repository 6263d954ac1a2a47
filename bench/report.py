"""The results as Markdown: setup, one section per figure, the goals, and the gateway's profile."""
from pathlib import Path

from bench.drivers import median, percentile
from bench.measure import REDIS_TARGET

ANALYSIS = Path(__file__).resolve().parent / "analysis.md"
GOALS = {
    "gateway": ("1. Gateway tax: split/monolith throughput", ">= 0.60", lambda x: x >= 0.60),
    "framework": ("2. Framework efficiency: DRF view/bare view throughput", ">= 0.70", lambda x: x >= 0.70),
    "orders": ("3. Order placement: split/monolith orders/s", ">= 0.50", lambda x: x >= 0.50),
    "events": ("4. Event latency: p95 pay -> stock committed (worst topology)", "<= 250 ms", lambda x: x <= 250),
}


def ratios(numerators: list, denominators: list) -> list[float]:
    return [n.rps / d.rps for n, d in zip(numerators, denominators)]


def cpu_cost(run, topology: str) -> float:
    """CPU ms per request spent by one topology's processes and its PostgreSQL backends."""
    return sum(ms for group, ms in run.cpu_ms.items() if group.startswith(f"{topology} "))


def cpu_ratios(numerators: list, n_topology: str, denominators: list, d_topology: str) -> list[float]:
    """Throughput ratio predicted by CPU per request: denominator's cost over numerator's."""
    return [cpu_cost(d, d_topology) / cpu_cost(n, n_topology) for n, d in zip(numerators, denominators)
            if cpu_cost(n, n_topology)]


def render(r: dict) -> str:
    meta, plan = r["meta"], r["plan"]
    tput, lat = r["throughput"], r["latency"]
    gateway_ratios = ratios(tput["split via gateway"], tput["monolith"])
    framework_ratios = ratios(tput["monolith"], tput["bare view (monolith)"])
    by_round = {(o.topology, o.round): o for o in r["orders"]}
    order_ratios = [by_round["split", i].orders_per_second / by_round["monolith", i].orders_per_second
                    for i in range(1, plan.order_rounds + 1) if by_round["monolith", i].orders_per_second]
    event_p95 = {t: percentile(sorted(e["samples_ms"]), 95) for t, e in r["events"].items()}
    measured = {"gateway": median(gateway_ratios), "framework": median(framework_ratios),
                "orders": median(order_ratios), "events": max(event_p95.values())}
    hop = median(lat["split via gateway"]) - median(lat["split catalog service direct"])
    out = [
        "# Benchmarks", "",
        f"Written by `{meta['command']}` on {meta['date']} ({plan.name} plan). Every ratio compares runs made side by "
        "side in this one run, on one machine, with both topologies up at once; the load came from separate "
        "processes on loopback. Rerun with `make bench` (needs the local PostgreSQL, RabbitMQ and Redis, and wrk; "
        "`python -m bench --help` says more).", "",
        "## Setup", "",
        "| | |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in meta["setup"].items()], "",
        "## Goals", "",
        "| goal | target | measured | met |", "|---|---|---|---|",
        *[f"| {title} | {target} | {_fmt(measured[key], key)} | {'yes' if ok(measured[key]) else '**no**'} |"
          for key, (title, target, ok) in GOALS.items()],
        f"| Order invariants (every run) | no violation | {sum(len(o.violations) for o in r['orders'])} violation(s) "
        f"| {'yes' if not any(o.violations for o in r['orders']) else '**no**'} |", "",
        "## 1. Gateway tax and 2. framework efficiency: GET /products/<id>", "",
        f"wrk, {plan.wrk_threads} threads, {plan.wrk_connections} keep-alive connections, {plan.wrk_seconds:g} s per "
        f"measured run after a {plan.warmup_seconds:g} s warm-up, {plan.rounds} round(s); within a round "
        "the targets run one after the other in the order below, reversed in every other round, and each connects "
        "afresh (gunicorn pins a keep-alive connection to one worker, so runs differ by how the 16 connections "
        "fell on the 2 workers). Figures, and ratios, are medians over rounds of the per-round values.", "",
        "| target | req/s | p50 ms | p99 ms | req/s per round |", "|---|---|---|---|---|",
        *[f"| {name} | {median([x.rps for x in runs]):.0f} | {median([x.p50_ms for x in runs]):.2f} | "
          f"{median([x.p99_ms for x in runs]):.2f} | {', '.join(f'{x.rps:.0f}' for x in runs)} |"
          for name, runs in tput.items()], "",
        f"- split via gateway / monolith: **{median(gateway_ratios):.2f}** (per round: {_list(gateway_ratios)})",
        f"- DRF view / bare Django view, monolith: **{median(framework_ratios):.2f}** (per round: "
        f"{_list(framework_ratios)}); the bare view runs the selector's query (a model instance) and returns the "
        "same five fields with JsonResponse, so the ratio prices DRF's request, negotiation, serializer and "
        "renderer",
        f"- DRF view / bare view reading .values() (no model instance either): "
        f"{median(ratios(tput['monolith'], tput['bare view reading values() (monolith)'])):.2f}, by CPU "
        f"{median(cpu_ratios(tput['monolith'], 'monolith', tput['bare view reading values() (monolith)'], 'monolith')):.2f}",
        f"- catalog service direct / monolith: {median(ratios(tput['split catalog service direct'], tput['monolith'])):.2f}"
        " (the split's catalog alone, without the gateway)",
        *([f"- {REDIS_TARGET} / monolith: {median(ratios(tput[REDIS_TARGET], tput['monolith'])):.2f} "
           "(the split as docker-compose deploys it)"] if REDIS_TARGET in tput else []), "",
        "CPU per request, from /proc during the same measured runs (medians over rounds, ms). It is less "
        "sensitive than req/s to what else the machine was doing (contention still inflates it), so it "
        "cross-checks the ratios: "
        f"split/monolith by CPU **{median(cpu_ratios(tput['split via gateway'], 'split', tput['monolith'], 'monolith')):.2f}**,"
        f" DRF/bare by CPU **{median(cpu_ratios(tput['monolith'], 'monolith', tput['bare view (monolith)'], 'monolith')):.2f}**.",
        "", *_cpu_table(tput), "", *_floor(tput), "",
        "### One gateway hop at concurrency 1", "",
        f"{plan.rounds} round(s) of {plan.latency_requests} sequential GETs per target, one keep-alive connection.", "",
        "| target | requests | p50 ms | p99 ms |", "|---|---|---|---|",
        *[f"| {name} | {len(s)} | {median(s):.2f} | {percentile(sorted(s), 99):.2f} |" for name, s in lat.items()], "",
        f"Added latency of one gateway hop (p50 via gateway - p50 catalog direct): **{hop:.2f} ms**; "
        f"split via gateway - monolith: {median(lat['split via gateway']) - median(lat['monolith']):.2f} ms.", "",
        "## 3. Order placement (PostgreSQL)", "",
        f"{plan.order_clients} clients, each its own customer with a keep-alive connection, place one-line orders "
        f"(1-{plan.max_quantity} units, with an Idempotency-Key) on {plan.hot_products} hot products for "
        f"{plan.order_seconds:g} s; one product holds only {plan.scarce_stock} units, so refusals happen. Each "
        "round uses fresh products. After each run the stock is read back through the API: reserved + committed "
        "<= stocked, reserved = the units of the placed orders, every refusal a 409 insufficient-stock problem.", "",
        "| topology | round | attempts | placed | refused (409) | orders/s | p50 ms | p99 ms | invariants |",
        "|---|---|---|---|---|---|---|---|---|",
        *[f"| {o.topology} | {o.round} | {o.attempts} | {o.placed} | {o.refused} | {o.orders_per_second:.1f} | "
          f"{o.p50_ms:.1f} | {o.p99_ms:.1f} | {'ok' if not o.violations else '; '.join(o.violations)} |"
          for o in r["orders"]], "",
        f"split / monolith orders/s: **{median(order_ratios):.2f}** (per round: {_list(order_ratios)})", "",
        "## 4. Event latency: POST /orders/<id>/pay returning -> stock committed (RabbitMQ)", "",
        "One client places and pays one-unit orders, then polls GET /inventory/<product> every 2 ms through the "
        "public entry point until on_hand drops; the figure includes that polling's resolution (one GET).", "",
        "| topology | samples | p50 ms | p95 ms | max ms | not seen within 5 s |", "|---|---|---|---|---|---|",
        *[f"| {t} | {len(e['samples_ms'])} | {median(e['samples_ms']):.1f} | {event_p95[t]:.1f} | "
          f"{max(e['samples_ms'], default=float('nan')):.1f} | {e['missed']} |" for t, e in r["events"].items()], "",
        "## 5. Memory: RSS and PSS of every process, after the runs", "",
        "RSS counts the pages a forked gunicorn worker shares with its master in both; PSS splits shared pages "
        "among the processes that share them, so PSS adds up to what the topology really occupies.", "",
        "| topology | process | pid | RSS MiB | PSS MiB |", "|---|---|---|---|---|",
        *[f"| {t} | {name} | {pid} | {rss / 1024:.1f} | {pss / 1024:.1f} |"
          for t, rows in r["memory"].items() for name, pid, rss, pss in rows],
        *[f"| {t} | **total** | | **{sum(row[2] for row in rows) / 1024:.0f}** | **{sum(row[3] for row in rows) / 1024:.0f}** |"
          for t, rows in r["memory"].items()],
        "", *[line for p in r["profiles"] for line in _profile(p)], *_analysis(),
    ]
    return "\n".join(out) + "\n"


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


def _cpu_table(tput: dict) -> list[str]:
    rows = ["| target | shop processes | their PostgreSQL | shop total | Redis server | load generator | "
            "other processes (noise) |", "|---|---|---|---|---|---|---|"]
    for name, runs in tput.items():
        groups = sorted({g for run in runs for g in run.cpu_ms})
        ms = {g: median([run.cpu_ms.get(g, 0.0) for run in runs]) for g in groups}
        shop = [g for g in groups if not g.endswith("PostgreSQL") and g.split(" ", 1)[0] in _VARIANTS and ms[g] >= 0.05]
        database = sum(v for g, v in ms.items() if g.endswith("PostgreSQL"))
        total = sum(v for g, v in ms.items() if g.split(" ", 1)[0] in _VARIANTS)
        rows.append(f"| {name} | " + " + ".join(f"{g.split(' ', 1)[1]} {ms[g]:.2f}" for g in shop)
                    + f" | {database:.2f} | **{total:.2f}** | {ms.get('Redis server', 0):.2f} | "
                    f"{ms.get('load generator', 0):.2f} | {ms.get('other processes', 0):.2f} |")
    return rows


_VARIANTS = ("monolith", "split", "split+redis")


def _profile(p) -> list[str]:
    head = [f"## Profile: {p.role}", ""]
    if p.error:
        return head + [f"Not recorded: {p.error}.", ""]
    return head + [
        f"py-spy (200 Hz, the thread holding the GIL, both gunicorn workers) while wrk loaded GET /products/<id> on "
        f"the {p.role}; {p.samples} samples. Share of samples whose stack is inside each stage:", "",
        "| stage | % of samples |", "|---|---|", *[f"| {label} | {share:.1f} |" for label, share in p.stages], "",
        "Functions where the samples were (self time):", "",
        "| function | % |", "|---|---|", *[f"| `{name}` | {share:.1f} |" for name, share in p.top_self], "",
    ]


def _analysis() -> list[str]:
    return [ANALYSIS.read_text().strip(), ""] if ANALYSIS.exists() else []


def _fmt(value: float, key: str) -> str:
    return f"{value:.0f} ms" if key == "events" else f"{value:.2f}"


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)
