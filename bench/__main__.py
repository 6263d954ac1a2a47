"""`python -m bench` (make bench): starts the monolith and the split side by side under granian on
PostgreSQL and RabbitMQ, measures them, prints the table and writes docs/benchmarks.md.

`python -m bench --smoke` runs every measurement with tiny counts and writes its table to a temporary
file (never to docs/); `make test-services` runs it so the harness cannot rot. It asserts no timing,
only that each measurement ran and that the order invariants held.

Needs the local PostgreSQL (postgres://postgres@127.0.0.1:5432, trust) and RabbitMQ (guest/guest on
5672); the full run also Redis (6379) for one row (--redis-url '' skips it). wrk (`apt-get install
wrk`) drives the throughput runs: without it the smoke run falls back to a Python load client and the
full run refuses. py-spy (`pip install py-spy`) records the profiles; without it they are skipped."""
import argparse
import os
import pickle
import platform
import shlex
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench import baseline, drivers, measure, observability
from bench.plan import FULL, SMOKE
from bench.report import keep_by_hand, render
from bench.stacks import WEB_THREADS, WEB_WORKERS, make_stacks, staff_api
from tools.otlp_sink import OtlpSink

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
LAST = ROOT / "data" / "bench-last-run.pickle"  # data/ is not versioned
LOAD_GENERATOR = ("wrk {version} for throughput: a C event loop that saturates a Python server from one core "
                  "and reports the latency distribution; a Python client (threads, keep-alive http.client, in "
                  "its own process) for the scripted flows wrk's Lua cannot do easily (log in, order, pay, poll)")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny counts, every measurement; table to a temp file")
    parser.add_argument("--rerender", action="store_true",
                        help=f"write the table again from the last full run's results ({LAST.relative_to(ROOT)}), "
                             "e.g. after editing bench/analysis.md; measures nothing")
    parser.add_argument("--baseline", metavar="PICKLE",
                        help=f"keep the goals, round spreads and profiles of a run's results (e.g. main's) in "
                             f"{baseline.PATH.relative_to(ROOT)}, the 'before' the report shows; measures nothing")
    parser.add_argument("--output", help=f"where to write the table (default: {DOC.relative_to(ROOT)}, or a temp "
                                         "file with --smoke)")
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("SHOP_BENCH_PORT_BASE", 31000)),
                        help="monolith on BASE, split on BASE+10..BASE+14 (default 31000, below the ephemeral port range)")
    parser.add_argument("--postgres-url", default=os.environ.get("SHOP_BENCH_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--broker-url", default=os.environ.get("SHOP_BENCH_BROKER_URL",
                                                               "amqp://guest:guest@127.0.0.1:5672//"))
    parser.add_argument("--redis-url", default=os.environ.get("SHOP_BENCH_REDIS_URL"),
                        help="also run the split with breaker state and the gateway cache in Redis, as "
                             "docker-compose deploys it, for one more throughput row (default: "
                             "redis://127.0.0.1:6379/0, or none with --smoke; '' to skip)")
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    if args.redis_url is None:
        args.redis_url = "" if args.smoke else "redis://127.0.0.1:6379/0"
    wrk = drivers.wrk_version()
    if wrk is None and not args.smoke and not args.rerender:
        print("wrk is not installed: apt-get install -y wrk (the Debian package)", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else (
        Path(tempfile.mkstemp(prefix="bench-smoke-", suffix=".md")[1]) if args.smoke else DOC)
    if args.smoke and output.resolve().parent == DOC.parent.resolve():
        print("the smoke run never writes to docs/", file=sys.stderr)
        return 2

    if args.baseline:
        baseline.save(pickle.loads(Path(args.baseline).read_bytes()), source=args.baseline)
        print(f"baseline written to {baseline.PATH}")
        return 0
    started = time.monotonic()
    if args.rerender:
        results = pickle.loads(LAST.read_bytes())
    else:
        results = run(plan, args, wrk)
        if not args.smoke:
            LAST.parent.mkdir(parents=True, exist_ok=True)
            LAST.write_bytes(pickle.dumps(results))
    before = baseline.load(results)
    text = render(results, before)
    if output.resolve() == DOC.resolve() and DOC.exists():
        text = keep_by_hand(text, DOC.read_text())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(text)
    print(f"table written to {output} in {time.monotonic() - started:.0f} s", flush=True)
    return 1 if any(o.violations for o in results["orders"]) else 0


def run(plan, args, wrk: str | None) -> dict:
    began = time.monotonic()
    log = lambda message: print(f"[{time.monotonic() - began:5.0f} s] {message}", file=sys.stderr, flush=True)  # noqa: E731
    variants = {"monolith": ("monolith", ""), "split": ("split", ""), observability.TRACING_VARIANT: ("split", ""),
                observability.SAMPLED_VARIANT: ("split", ""), observability.NO_METRICS_VARIANT: ("split", ""),
                measure.SERVER_VARIANT: ("monolith", "")}
    if args.redis_url:
        variants[measure.REDIS_VARIANT] = ("split", args.redis_url)
    stacks = make_stacks(variants, port_base=args.port_base, postgres_url=args.postgres_url,
                         broker_url=args.broker_url)
    stacks[measure.SERVER_VARIANT].server = "gunicorn"
    sink = OtlpSink(keep=False).__enter__()
    for name, env in observability.variant_env(sink).items():
        stacks[name].extra_env.update(env)
    keep = False
    try:
        log("starting " + ", ".join(f"{name} on {stack.url}" for name, stack in stacks.items()) + " ...")
        with ThreadPoolExecutor(len(stacks)) as pool:
            list(pool.map(lambda s: s.start(), stacks.values()))
        log("seeding through the public API ...")
        with ThreadPoolExecutor(len(stacks)) as pool:
            seeded = dict(zip(stacks, pool.map(
                lambda item: measure.seed(item[1], staff_api(item[1]), plan, reads_only=item[0] not in ("monolith", "split")),
                stacks.items())))
        results = {"plan": plan, "meta": meta(plan, args, wrk, stacks)}
        urls = measure.targets(stacks, seeded)
        log("1+2. GET /products/<id> throughput ...")
        results["throughput"] = measure.throughput(urls, stacks, plan, use_wrk=wrk is not None, log=log)
        log("1. one gateway hop at concurrency 1 ...")
        results["latency"] = measure.hop_latency(stacks, seeded, plan)
        log("1+2. profiling the gateway and the monolith ...")
        results["profiles"] = measure.profiles(stacks, urls, plan)
        for name in set(stacks) - {"monolith", "split"}:  # read-only variants: their connections count against
            stacks[name].stop()  # PostgreSQL's max_connections (100 by default) while the orders run
        log("5. order placement ...")
        results["orders"] = []
        for r in range(plan.order_rounds):
            for topology in (("monolith", "split") if r % 2 == 0 else ("split", "monolith")):
                run_ = measure.place_orders(topology, stacks, seeded[topology], plan, r)
                results["orders"].append(run_)
                log(f"  round {r + 1} {topology}: {run_.orders_per_second:.1f} orders/s, p99 {run_.p99_ms:.0f} ms, "
                    f"{run_.refused} refused, {len(run_.violations)} violation(s)")
        results["orders"].sort(key=lambda o: (o.topology != "monolith", o.round))
        results["profiles"].append(measure.order_profile(stacks["monolith"], seeded["monolith"], plan))
        log("4. CPU per placed order, POST /orders and the bare SQL view ...")
        results["order_cpu"] = measure.order_cpu(stacks["monolith"], seeded["monolith"], plan)
        log("event latency ...")
        results["events"] = {t: measure.event_latency(stacks[t], seeded[t], plan) for t in ("monolith", "split")}
        results["memory"] = measure.memory({t: stacks[t] for t in ("monolith", "split")})
        results["otlp"] = {"exports": sink.requests, "bytes": sink.received_bytes}
        if not sink.requests:
            raise RuntimeError("the tracing stack exported no span to the OTLP sink")
        return results
    except BaseException:
        log("the run failed; the processes' logs are kept in " + ", ".join(str(s.data_dir / "logs") for s in stacks.values()))
        keep = True
        raise
    finally:
        sink.__exit__(None, None, None)
        for stack in stacks.values():
            stack.stop()
            stack.clean_up()
            if not keep and not os.environ.get("SHOP_BENCH_KEEP_LOGS"):
                shutil.rmtree(stack.data_dir, ignore_errors=True)


def meta(plan, args, wrk: str | None, stacks) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    setup = {
        "machine": f"{cpu}, {os.cpu_count()} cores, {int(memory) / 1024 / 1024:.1f} GiB RAM, "
                   f"{platform.system()} {platform.release()}",
        "versions": f"Python {platform.python_version()}, Django {version('django')}, DRF "
                    f"{version('djangorestframework')}, granian {version('granian')}, gunicorn {version('gunicorn')}, "
                    f"urllib3 {version('urllib3')}, "
                    f"psycopg {version('psycopg')}, Celery {version('celery')}, PostgreSQL {_postgres(args)}",
        "load generator": LOAD_GENERATOR.format(version=wrk) if wrk else
        "a Python client (threads, keep-alive http.client, in its own process): wrk is not installed",
        "servers": f"granian (shop/serve.py: the app loaded before the fork, gc.freeze), {WEB_WORKERS} workers x "
                   f"{WEB_THREADS} threads; in the goal-8 row gunicorn gthread, as many, a listening socket per "
                   "worker (SO_REUSEPORT); DEBUG off, for every role of both topologies; one PostgreSQL database per "
                   "app; Celery workers "
                   "(threads, 4) on RabbitMQ; metrics on and tracing off, as shipped, except in the two goal-6 "
                   "variants of the split",
        "breaker state and gateway cache": "in-process (per server worker)" + (
            f"; the '{measure.REDIS_TARGET}' row uses Redis at {args.redis_url}" if args.redis_url else ""),
        "ports": ", ".join(f"{name} {stack.url}" for name, stack in stacks.items()),
        "command": f"`{shlex.join([Path(sys.executable).name, '-m', 'bench', *sys.argv[1:]])}` (make bench)",
    }
    return {"command": "make bench" if plan.name == "full" else "python -m bench --smoke",
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "setup": setup}


def _postgres(args) -> str:
    import psycopg

    with psycopg.connect(f"{args.postgres_url}/postgres", connect_timeout=5) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


if __name__ == "__main__":
    sys.exit(main())
