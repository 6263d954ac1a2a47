"""The five measurements, run against live stacks; each returns plain results for the report."""
import os
import resource
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from bench import BARE_PRODUCT_PATH, BARE_VALUES_PATH, EMPTY_PATH, cpu, drivers, observability, profile
from bench.plan import Plan
from bench.stacks import Api, create_product, customer_token, process_memory, stock
from tools.stack import Stack


REDIS_VARIANT = "split+redis"  # the split again, with breaker state and the gateway cache in Redis
REDIS_TARGET = "split via gateway, Redis breaker and cache"
SERVER_VARIANT = "monolith+gunicorn"  # the monolith again, served by gunicorn instead of granian (goal 8)
SERVER_TARGET = "monolith, gunicorn"


@dataclass
class Seeded:
    """What one stack holds for the benchmark: ids and tokens made through the public API."""

    staff: Api
    product_id: int  # read by the GET benchmarks
    hot: list[list[int]]  # per round: the hot products orders are placed on; the last one is scarce
    event_product_id: int
    tokens: list[str]


@dataclass
class OrderRun:
    topology: str
    round: int
    attempts: int
    placed: int
    refused: int
    seconds: float
    p50_ms: float
    p99_ms: float
    violations: list[str] = field(default_factory=list)
    cpu_ms: dict = field(default_factory=dict)  # CPU milliseconds per placed order, by process group

    @property
    def orders_per_second(self) -> float:
        return self.placed / self.seconds


def seed(stack: Stack, staff: Api, plan: Plan, *, reads_only: bool = False) -> Seeded:
    product_id = create_product(staff, name="Benchmark widget", stock=plan.plenty_stock)
    if reads_only:
        return Seeded(staff, product_id, [], 0, [])
    hot = [[create_product(staff, name=f"Hot product {r}.{i}",
                           stock=plan.scarce_stock if i == plan.hot_products - 1 else plan.plenty_stock)
            for i in range(plan.hot_products)] for r in range(plan.order_rounds)]
    event_product_id = create_product(staff, name="Event product", stock=plan.plenty_stock)
    tag = uuid.uuid4().hex[:6]
    tokens = [customer_token(stack, f"bench-{tag}-{i}") for i in range(plan.order_clients)]
    return Seeded(staff, product_id, hot, event_product_id, tokens)


def targets(stacks: dict[str, Stack], seeded: dict[str, Seeded]) -> dict[str, str]:
    """The GET /products/<id> URLs compared for throughput: monolith, bare view, gateway, catalog service."""
    mono, split = stacks["monolith"], stacks["split"]
    m_id, s_id = seeded["monolith"].product_id, seeded["split"].product_id

    def product(variant: str) -> str:
        return f"{stacks[variant].url}/products/{seeded[variant].product_id}"

    # each round runs them in this order, then the next in reverse: neighbours are compared
    urls = {"bare view (monolith)": f"{mono.url}/{BARE_PRODUCT_PATH}/{m_id}", "monolith": f"{mono.url}/products/{m_id}"}
    if SERVER_VARIANT in stacks:
        urls[SERVER_TARGET] = product(SERVER_VARIANT)
    urls["split via gateway"] = f"{split.url}/products/{s_id}"
    urls |= observability.targets(stacks, {name: s.product_id for name, s in seeded.items()})
    if REDIS_VARIANT in stacks:
        urls[REDIS_TARGET] = product(REDIS_VARIANT)
    return urls | {"split catalog service direct": f"{split.role_url('catalog')}/products/{s_id}",
                   "gateway process, empty Django view": f"{split.url}/{EMPTY_PATH}",
                   "bare view reading values() (monolith)": f"{mono.url}/{BARE_VALUES_PATH}/{m_id}"}


def process_groups(stacks: dict[str, Stack]) -> tuple[dict[int, str], dict[str, str]]:
    """Root pids and PostgreSQL database prefixes -> the group their CPU is counted in (bench.cpu.spent).
    The bench process itself only waits on its children, and serves the OTLP sink's threads."""
    roots = {p.pid: f"{t} {name}" for t, stack in stacks.items() for name, p in stack.processes.items()}
    roots[os.getpid()] = observability.SINK_GROUP
    return roots, {f"{stack.db_prefix}_": f"{t} PostgreSQL" for t, stack in stacks.items()}


def throughput(urls: dict[str, str], stacks: dict[str, Stack], plan: Plan, *, use_wrk: bool,
               log) -> dict[str, list[drivers.Throughput]]:
    """Every target once per round, one after the other, so each ratio compares neighbouring runs."""
    roots, databases = process_groups(stacks)
    fronts = {url: _front_pid(url, stacks) for url in urls.values()}
    runs = defaultdict(list)
    for r in range(plan.rounds):
        for name, url in (list(urls.items()) if r % 2 == 0 else list(urls.items())[::-1]):
            options = {"threads": plan.wrk_threads, "connections": plan.wrk_connections, "use_wrk": use_wrk}
            drivers.throughput(url, seconds=plan.warmup_seconds, **options)
            before, load_before = cpu.snapshot(), _children_cpu()
            result = drivers.throughput(url, seconds=plan.wrk_seconds, **options)
            after = cpu.snapshot()
            spent = cpu.spent(before, after, roots, databases)
            spent["load generator"] = _children_cpu() - load_before
            if result.errors:
                raise RuntimeError(f"{name}: {result.errors} failed requests during the throughput run")
            result = replace(result, cpu_ms={group: 1000 * seconds / max(result.requests, 1)
                                             for group, seconds in spent.items() if seconds > 0},
                             busiest_worker=cpu.busiest_child_share(before, after, fronts[url]))
            runs[name].append(result)
            log(f"  round {r + 1} {name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms"
                f"; CPU ms/request: " + ", ".join(f"{g} {v:.2f}" for g, v in sorted(result.cpu_ms.items())
                                                  if v >= 0.05))
    return dict(runs)


def _front_pid(url: str, stacks: dict[str, Stack]) -> int:
    """The web server's main process serving `url`, found by its port."""
    port = int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    return next(stack.processes[role].pid for stack in stacks.values() for role in stack.roles
                if stack.ports[role] == port)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def hop_latency(stacks: dict[str, Stack], seeded: dict[str, Seeded], plan: Plan) -> dict[str, list[float]]:
    """Concurrency-1 GET /products/<id> latencies (ms) on the monolith, the catalog service and the gateway."""
    split = stacks["split"]
    job = {"kind": "latency", "rounds": plan.rounds, "requests_per_round": plan.latency_requests,
           "max_seconds": 30 + plan.rounds * plan.latency_requests * 0.05}
    mono = drivers.run_job({**job, "targets": {"monolith": stacks["monolith"].url},
                            "path": f"/products/{seeded['monolith'].product_id}"}, timeout=job["max_seconds"] + 30)
    hop = drivers.run_job({**job, "targets": {"split catalog service direct": split.role_url("catalog"),
                                              "split via gateway": split.url},
                           "path": f"/products/{seeded['split'].product_id}"}, timeout=job["max_seconds"] + 30)
    return {**mono["samples_ms"], **hop["samples_ms"]}


def profiles(stacks: dict[str, Stack], urls: dict[str, str], plan: Plan) -> list[profile.Profile]:
    """py-spy on the gateway's and on the monolith's web workers, each while wrk loads it (runs not counted)."""
    found = []
    for role, stack, url in (("gateway", stacks["split"], urls["split via gateway"]),
                             ("monolith", stacks["monolith"], urls["monolith"])):
        started = profile.start(stack.processes[role].pid, plan.profile_seconds)
        if started is not None:
            drivers.throughput(url, seconds=plan.profile_seconds + 1, threads=plan.wrk_threads,
                               connections=plan.wrk_connections, use_wrk=bool(drivers.wrk_version()))
        found.append(profile.finish(role, started, timeout=plan.profile_seconds + 60))
    return found


def order_profile(stack: Stack, seeded: Seeded, plan: Plan) -> profile.Profile:
    """py-spy on the monolith while the order clients place orders on round 1's products (a run not counted)."""
    started = profile.start(stack.processes["monolith"].pid, plan.profile_seconds)
    if started is not None:
        drivers.run_job({"kind": "orders", "url": stack.url, "tokens": seeded.tokens,
                         "product_ids": seeded.hot[0][:-1], "seconds": plan.profile_seconds + 1,
                         "max_orders_per_client": plan.max_orders_per_client, "max_quantity": 1},
                        timeout=plan.profile_seconds + 120)
    found = profile.finish("monolith, POST /orders", started, timeout=plan.profile_seconds + 60)
    found.load = f"{plan.order_clients} clients placed orders"
    return found


def order_cpu(stack: Stack, seeded: Seeded, plan: Plan) -> list:
    """Goal 4: CPU per placed order of POST /orders and of the bare SQL view (bench.order_cpu), side by side
    on the monolith, on round 1's plentiful products (runs not counted elsewhere)."""
    from bench import order_cpu  # the write path's measurement (issue13w)

    return order_cpu.measure(stack, seeded.tokens, seeded.hot[0][:-1], rounds=plan.order_rounds,
                             orders_per_client=plan.order_cpu_orders_per_client)


def place_orders(topology: str, stacks: dict[str, Stack], seeded: Seeded, plan: Plan, round_: int) -> OrderRun:
    """16 clients order from the round's 10 hot products; then the stock invariants are checked."""
    stack = stacks[topology]
    products = seeded.hot[round_]
    stocked = {pid: plan.scarce_stock if i == len(products) - 1 else plan.plenty_stock for i, pid in enumerate(products)}
    roots, databases = process_groups(stacks)
    before = cpu.snapshot()
    data = drivers.run_job({"kind": "orders", "url": stack.url,
                            "tokens": seeded.tokens, "product_ids": products,
                            "seconds": plan.order_seconds, "max_orders_per_client": plan.max_orders_per_client,
                            "max_quantity": plan.max_quantity}, timeout=plan.order_seconds + 120)
    spent = cpu.spent(before, cpu.snapshot(), roots, databases)
    attempts = data["attempts"]
    placed = [a for a in attempts if a["status"] == 201]
    latencies = sorted(a["ms"] for a in attempts)
    run = OrderRun(topology, round_ + 1, len(attempts), len(placed), len(attempts) - len(placed), data["seconds"],
                   drivers.percentile(latencies, 50), drivers.percentile(latencies, 99),
                   cpu_ms={group: 1000 * seconds / max(len(placed), 1) for group, seconds in spent.items()})
    run.violations = check_stock(seeded.staff, attempts, stocked)
    return run


def check_stock(staff: Api, attempts: list[dict], stocked: dict[int, int]) -> list[str]:
    """No product's reserved + committed exceeds its stock; every success is reserved; refusals are 409s."""
    violations = []
    statuses = Counter(a["status"] for a in attempts if a["status"] != 201)
    if set(statuses) - {409}:
        sample = next(a["error"] for a in attempts if a["status"] not in (201, 409))
        violations.append(f"refusals other than 409: {dict(statuses)} (e.g. {sample})")
    refused = [a for a in attempts if a["status"] == 409]
    if any("insufficient-stock" not in (a["error"] or "") for a in refused):
        violations.append("a 409 that is not an insufficient-stock problem")
    placed = defaultdict(int)
    for attempt in attempts:
        if attempt["status"] == 201:
            placed[attempt["product_id"]] += attempt["quantity"]
            if attempt["order_status"] != "pending":
                violations.append(f"order {attempt['order_id']} placed as {attempt['order_status']}, not pending")
    for product_id, initial in stocked.items():
        level = stock(staff, product_id)
        committed = initial - level["on_hand"]
        if level["reserved"] + committed > initial:
            violations.append(f"product {product_id}: reserved {level['reserved']} + committed {committed} > {initial}")
        if level["reserved"] != placed[product_id]:
            violations.append(f"product {product_id}: {level['reserved']} reserved, but placed orders hold "
                              f"{placed[product_id]}")
    return violations


def event_latency(stack: Stack, seeded: Seeded, plan: Plan) -> dict:
    """Pay, then poll the stock until the commit shows: latency in ms from the pay response."""
    return drivers.run_job({"kind": "events", "url": stack.url, "token": seeded.tokens[0],
                            "product_id": seeded.event_product_id, "samples": plan.event_samples,
                            "max_seconds": 20 + plan.event_samples * 2, "give_up_seconds": 5.0,
                            "poll_seconds": 0.002}, timeout=60 + plan.event_samples * 8)


def memory(stacks: dict[str, Stack]) -> dict[str, list[tuple[str, int, int]]]:
    return {topology: process_memory(stack) for topology, stack in stacks.items()}
