"""`python -m bench.observability`: the throughput cost of metrics and of tracing.

Three split stacks side by side on PostgreSQL and RabbitMQ: both off (SHOP_METRICS=0,
OTEL_TRACES_EXPORTER=none), metrics only, and tracing only (spans exported over OTLP/HTTP to the
in-memory sink of tools/otlp_sink.py, which this command starts). wrk GETs /products/<id> through each
gateway, round after round in alternating order; each cost is the median of per-round ratios to the
stack with both off. Writes its section into docs/benchmarks.md (`--smoke`: tiny counts, a temporary
file; `make test-services` runs it so the harness cannot rot)."""
import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench import drivers
from bench.drivers import median
from bench.plan import FULL, SMOKE
from bench.stacks import create_product, make_stacks, staff_api
from tools.otlp_sink import OtlpSink

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- observability: written by python -m bench.observability -->", "<!-- /observability -->"
OFF = {"SHOP_METRICS": "0", "OTEL_TRACES_EXPORTER": "none"}
LABELS = {"off": "both off", "metrics": "metrics on", "tracing": "tracing on (OTLP/HTTP to the sink)"}


def variants(sink: OtlpSink) -> dict[str, dict]:
    return {"off": OFF, "metrics": {**OFF, "SHOP_METRICS": "1"},
            "tracing": {**OFF, "OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint}}


def measure(plan, args, sink: OtlpSink) -> dict[str, list[drivers.Throughput]]:
    envs = variants(sink)
    stacks = make_stacks({name: ("split", "") for name in envs}, port_base=args.port_base,
                         postgres_url=args.postgres_url, broker_url=args.broker_url)
    try:
        for name, stack in stacks.items():
            stack.extra_env.update(envs[name])
            stack.start()
        urls = {name: f"{stack.url}/products/{create_product(staff_api(stack), name='Widget', stock=1)}"
                for name, stack in stacks.items()}
        runs = {name: [] for name in urls}
        options = {"threads": plan.wrk_threads, "connections": plan.wrk_connections, "use_wrk": args.wrk}
        for r in range(plan.rounds):
            for name, url in (list(urls.items()) if r % 2 == 0 else list(urls.items())[::-1]):
                drivers.throughput(url, seconds=plan.warmup_seconds, **options)
                result = drivers.throughput(url, seconds=plan.wrk_seconds, **options)
                if result.errors:
                    raise RuntimeError(f"{name}: {result.errors} failed requests")
                runs[name].append(result)
                print(f"round {r + 1} {name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms", file=sys.stderr)
        return runs
    finally:
        for stack in stacks.values():
            stack.stop()
            stack.clean_up()
            shutil.rmtree(stack.data_dir, ignore_errors=True)


def render(runs: dict, plan, spans: int, command: str) -> str:
    base = runs["off"]
    rows = []
    for name, results in runs.items():
        ratio = median([r.rps / b.rps for r, b in zip(results, base)])
        rows.append(f"| {LABELS[name]} | {median([r.rps for r in results]):.0f} | {median([r.p50_ms for r in results]):.2f} "
                    f"| {median([r.p99_ms for r in results]):.2f} | {ratio:.2f} |")
    return "\n".join([
        START, "## Observability cost: metrics and tracing", "",
        f"Written by `{command}`. Three split stacks side by side (gunicorn 2 workers x 4 threads per role, "
        f"PostgreSQL, RabbitMQ); wrk GETs `/products/<id>` through each gateway ({plan.wrk_threads} threads, "
        f"{plan.wrk_connections} connections, {plan.wrk_seconds:g} s, {plan.rounds} round(s), alternating order). "
        "Tracing exports every span over OTLP/HTTP (batched) to a local in-memory sink "
        f"(`tools/otlp_sink.py`), which received {spans} spans. The ratio is the median of per-round ratios "
        "to the stack with both off. The sink decodes every export in Python on the same two cores as the servers, "
        "so the tracing row includes the collector's CPU, which a real deployment spends elsewhere; rounds on a "
        "shared machine vary widely, so read these as rough costs.", "",
        "| variant | req/s (median) | p50 ms | p99 ms | throughput vs both off |", "|---|---|---|---|---|",
        *rows, END, ""])


def write_section(doc: Path, section: str) -> None:
    """Replaces this command's section of the document (or appends it), leaving the rest as it is."""
    text = doc.read_text() if doc.exists() else ""
    if START in text and END in text:
        text = text[:text.index(START)] + text[text.index(END) + len(END) + 1:]
    doc.write_text(text.rstrip("\n") + "\n\n" + section)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.observability", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("SHOP_BENCH_PORT_BASE", 31000)) + 100)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672//")
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    args.wrk = drivers.wrk_version() is not None
    if not (args.wrk or args.smoke):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    with OtlpSink() as sink:
        runs = measure(plan, args, sink)
        spans = len(sink.spans)
    if not spans:
        print("the tracing stack exported no span", file=sys.stderr)
        return 1
    doc = Path(tempfile.mkstemp(prefix="bench-observability-", suffix=".md")[1]) if args.smoke else DOC
    section = render(runs, plan, spans, "python -m bench.observability" + (" --smoke" if args.smoke else ""))
    write_section(doc, section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
