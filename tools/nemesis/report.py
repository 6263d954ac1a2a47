"""The report of a run: markdown (the schedule, each fault's effect and recovery, the invariants) and a timeline."""
import re
from datetime import datetime
from pathlib import Path

from tools.nemesis.load import Call
from tools.nemesis.run import Result

HEADING = "## The nemesis"
WRITES = ("place", "pay", "cancel")
BIN = 2.0  # seconds per point of the timeline
ABOUT = """`python -m tools.nemesis --seed N --duration S` (`make soak`: 30 minutes; `tests/chaos/test_nemesis.py`: a
seeded 3 minutes in `make test-services`) runs the split shop, and the monolith with its worker, on PostgreSQL
databases of its own, a RabbitMQ node of its own and a `redis-server` of its own, under customer load: customers
place, pay (with `Idempotency-Key`s, retried with the same key on no answer, 502, 503 or 504) and cancel, and
readers browse. A seeded schedule of overlapping faults hits only what it started: the broker's app stopped
(`broker-app`), the whole node restarted (`broker-node`), a worker SIGKILLed and restarted (`worker-kill`) or
frozen with SIGSTOP past the 60 s heartbeat (`worker-freeze`), a service SIGKILLed and restarted
(`service-kill`) or frozen (`service-freeze`), the split's inventory service partitioned from everything
(`service-partition`), database backends terminated (`db-terminate`), Redis stopped (`redis-stop`), the beat
killed and restarted (`beat-kill`). After the last fault the load runs 10 s more, then the invariants are checked.
The test takes `SHOP_NEMESIS_SEED`, `SHOP_NEMESIS_SECONDS` and `SHOP_NEMESIS_MONOLITH=0` (the split shop only,
lighter); a 3-minute run takes 5-9 minutes here (starting both stacks, the faults, up to 3 minutes waiting for the
queues to drain, teardown). Each run rewrites this section and the plot.

**The partition is real.** The split's inventory service runs in a network namespace of its own
(`tools/nemesis/enclave.py`): its callers reach it across a veth pair, and it reaches PostgreSQL, RabbitMQ, Redis
and the other services, which listen on loopback, through relays at the pair's outer end. A cut makes every
frame crossing the pair, either way, be dropped on arrival (a neighbour entry with a MAC address nobody has), so
no side is told: open connections hang until the heal or their timeouts, as across a cut cable. Its worker runs
outside, as a pod of its own would. `tests/containers/test_k8s_play.py` partitions a pod as well.
"""


def _between(calls: list[Call], start: float, end: float, stack: str = "") -> list[Call]:
    """The calls in flight at some moment of [start, end] (a call that hangs through a fault counts)."""
    return [c for c in calls if c.at <= end and c.at + c.ms / 1000 >= start and (not stack or c.stack == stack)]


def _percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))] if values else 0


def recovery(result: Result, fault) -> float | None:
    """Seconds from the fault's end to the first order placed (201) on the stack it hit (any, for shared parts)."""
    later = [c.at + c.ms / 1000 for c in result.calls if c.op == "place" and c.ok
             and c.at + c.ms / 1000 >= fault.ended
             and (not fault.stack or c.stack == fault.stack)]
    return min(later) - fault.ended if later else None


def stalls(result: Result, longer_than: float = 20) -> list[str]:
    """Queues whose ready count stayed above zero without ever going down, for longer than `longer_than` s."""
    found = []
    for name in sorted({name for _, depths in result.samples for name in depths}):
        points = [(t, d[name]) for t, d in result.samples if d.get(name) is not None]
        longest, start, previous = (0, 0, 0), None, 0
        for t, ready in points:
            if ready > 0 and start is not None and ready >= previous:
                longest = max(longest, (t - start[0], start[0], ready))
            elif ready > 0:
                start = (t, ready)
            else:
                start = None
            previous = ready
        if longest[0] > longer_than:
            found.append(f"`{name}`: {longest[0]:.0f} s from {longest[1]:.0f} s without shrinking, "
                         f"up to {longest[2]} ready")
    return found


WORKER_EVENTS = {"Connection to broker lost": "lost", "Connected to": "connected", "Couldn't ack": "couldn't ack"}


def worker_events(result: Result) -> list[str]:
    """Each worker's connection losses, reconnects and failed acks, from its log, in seconds of the run."""
    found = []
    for log in sorted(Path(result.logs).glob("*/logs/*-worker.log")) if result.logs else []:
        events = []
        for line in log.read_text(errors="replace").splitlines():
            stamp = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ", line)
            what = next((name for text, name in WORKER_EVENTS.items() if text in line), None)
            if stamp and what:
                at = datetime.strptime(stamp[1], "%Y-%m-%d %H:%M:%S,%f").timestamp() - result.started_at
                if at >= 0:
                    events.append(f"{what} {at:.0f}")
        stack = log.parent.parent.name.split("-")[1]
        found.append(f"{stack} {log.stem}: " + (", ".join(events) if events else "no connection event"))
    return found


def fault_rows(result: Result) -> list[str]:
    rows = ["| # | at (s) | held (s) | fault | writes during | errors | p50 / p95 / max ms "
            "| first order placed after |",
            "|---|---|---|---|---|---|---|---|"]
    for number, fault in enumerate(result.faults, 1):
        if fault.started is None:
            continue
        during = [c for c in _between(result.calls, fault.started, fault.ended, fault.stack) if c.op in WRITES]
        errors = sorted({c.status for c in during if not c.ok})
        failed = sum(1 for c in during if not c.ok)
        ms = [c.ms for c in during]
        back = recovery(result, fault)
        rows.append(f"| {number} | {fault.started:.1f} | {fault.ended - fault.started:.1f} | {fault.label}"
                    f"{' (failed: ' + fault.error + ')' if fault.error else ''} | {len(during)} | "
                    f"{failed}{' ' + str(errors) if errors else ''} | "
                    f"{_percentile(ms, .5):.0f} / {_percentile(ms, .95):.0f} / {max(ms, default=0):.0f} | "
                    f"{'never' if back is None else f'{back:.1f} s'} |")
    return rows


def markdown(result: Result, plot: str, command: str) -> str:
    writes = [c for c in result.calls if c.op in WRITES]
    statuses: dict[str, dict] = {}
    for c in result.calls:
        statuses.setdefault(c.op, {}).setdefault(c.status, 0)
        statuses[c.op][c.status] += 1
    drained = "never" if result.drained_after is None else f"{result.drained_after:.1f} s"
    lines = [HEADING, "", ABOUT, "### The last run", "",
             f"`{command}`: seed {result.seed}, {result.duration:.0f} s of faults on {', '.join(result.stacks)}, "
             f"the monolith's worker included" if "monolith" in result.stacks else
             f"`{command}`: seed {result.seed}, {result.duration:.0f} s of faults on {', '.join(result.stacks)}", "",
             f"- **Violations: {result.violation_count}.** Queues drained and stock consistent {drained} after the "
             f"last fault healed (at {result.last_healed:.1f} s; the load stopped at {result.load_stopped:.1f} s).",
             f"- Calls: {len(result.calls)} ({len(writes)} writes); answers by status: "
             + "; ".join(f"{op} {dict(sorted(counts.items()))}" for op, counts in sorted(statuses.items())) + ".",
             "- A fresh order paid after the checks, stock committed after: " + ", ".join(
                 f"{name} {'never' if s is None else f'{s:.1f} s'}" for name, s in result.probes.items()) + ".",
             f"- Logs of the run: `{result.logs}`.", "",
             "Status 0 is no answer (connection error or the client's 15 s timeout). Writes are retried with the "
             "same Idempotency-Key on 0, 502, 503 and 504; each attempt is counted.", "",
             "### Schedule and effect", "", *fault_rows(result), "",
             "### Invariants", ""]
    for invariant, found in result.violations.items():
        lines.append(f"- {invariant}: {'ok' if not found else f'**{len(found)} violation(s)**'}")
        lines += [f"  - {violation}" for violation in found[:20]]
    lines += ["", "### Queues that stalled (ready above zero, never shrinking, for more than 20 s)", ""]
    lines += [f"- {stall}" for stall in stalls(result)] or ["- none"]
    lines += ["", "### Workers' connection events (seconds of the run, from their logs)", ""]
    lines += [f"- {events}" for events in worker_events(result)]
    lines += ["", "### Queues at the end (ready, unacknowledged, consumers)", ""]
    lines += [f"- `{name}`: {row}" for name, row in sorted(result.queues.items())]
    lines += ["", f"![timeline of the run]({plot})", ""]
    return "\n".join(lines)


def timeline(result: Result, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = max([result.load_stopped] + [c.at for c in result.calls])
    bins = [i * BIN for i in range(int(end / BIN) + 1)]
    applied = [(number, f) for number, f in enumerate(result.faults, 1) if f.started is not None]
    kinds = sorted({fault.kind for _, fault in applied})
    fig, (lane_ax, ok_ax, err_ax, queue_ax) = plt.subplots(
        4, 1, sharex=True, figsize=(12, 10), gridspec_kw={"height_ratios": [3, 2, 2, 2]})
    for number, fault in applied:  # one lane per kind; each bar numbered as in the report
        row = kinds.index(fault.kind)
        lane_ax.barh(row, max(fault.ended - fault.started, 0.5), left=fault.started, color="tab:red", alpha=0.5,
                     edgecolor="black", linewidth=0.5)
        lane_ax.text(fault.started, row, f" {number}", va="center", fontsize=6)
    lane_ax.set_yticks(range(len(kinds)), kinds, fontsize=7)
    lane_ax.invert_yaxis()
    for stack in result.stacks:
        for ax, wanted in ((ok_ax, True), (err_ax, False)):
            counts = [0] * len(bins)
            for c in result.calls:
                if c.stack == stack and c.ok == wanted and c.at < end:
                    counts[int(c.at / BIN)] += 1
            ax.plot(bins, [n / BIN for n in counts], label=stack)
    names = sorted({name for _, depths in result.samples for name in depths})
    for name in names:
        points = [(t, d[name]) for t, d in result.samples if d.get(name) is not None]
        queue_ax.plot([t for t, _ in points], [n for _, n in points], label=name.rsplit("-", 1)[-1] + " "
                      + ("(monolith)" if "monolith" in name else "(split)"))
    for ax, title in ((ok_ax, "answers 2xx / s"), (err_ax, "errors / s (incl. no answer)"),
                      (queue_ax, "messages ready")):
        ax.set_ylabel(title)
        for _, fault in applied:
            ax.axvspan(fault.started, max(fault.ended, fault.started + 0.5), alpha=0.06, color="red")
        ax.axvline(result.last_healed, color="black", linestyle=":")
        ax.legend(loc="upper right", fontsize=7)
    lane_ax.axvline(result.last_healed, color="black", linestyle=":")
    queue_ax.set_xlabel(f"seconds (seed {result.seed}; faults numbered as in the report; dotted: the last one healed)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write(result: Result, report: Path, plot: Path, command: str) -> None:
    """The plot, then the report: into `report` under HEADING, replacing an earlier nemesis section."""
    timeline(result, plot)
    section = markdown(result, plot.name if plot.parent == report.parent else str(plot), command)
    text = report.read_text() if report.exists() else ""
    if HEADING in text:
        before, _, after = text.partition(HEADING)
        rest = after.split("\n## ", 1)
        text = before + section + ("\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = (text.rstrip() + "\n\n" if text else "") + section
    report.write_text(text)
