"""The load generators, each its own process: wrk for throughput, bench.load for scripted flows."""
import json
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Throughput:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx answers plus socket errors
    cpu_ms: dict = field(default_factory=dict)  # CPU milliseconds per request, by process group
    busiest_worker: float = float("nan")  # the serving role's busiest web worker's share of its workers' CPU


def run_job(job: dict, *, timeout: float) -> dict:
    """Runs one bench.load job in a separate process and returns its JSON result."""
    result = subprocess.run([sys.executable, "-m", "bench.load"], cwd=ROOT, input=json.dumps(job), text=True,
                            capture_output=True, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"bench.load {job['kind']} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def wrk_version() -> str | None:
    if not shutil.which("wrk"):
        return None
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    return (result.stdout + result.stderr).split("[")[0].replace("wrk", "", 1).strip() or "unknown"


def throughput(url: str, *, seconds: float, threads: int, connections: int, use_wrk: bool) -> Throughput:
    """GETs `url` for `seconds` over `connections` keep-alive connections."""
    if use_wrk:
        return _wrk(url, seconds=seconds, threads=threads, connections=connections)
    base, path = _split(url)
    data = run_job({"kind": "throughput", "url": base, "path": path, "seconds": seconds, "connections": connections,
                    "max_requests": 1_000_000}, timeout=seconds + 60)
    latencies = sorted(data["latencies_ms"])
    return Throughput(rps=len(latencies) / data["seconds"], p50_ms=percentile(latencies, 50),
                      p99_ms=percentile(latencies, 99), requests=len(latencies), errors=data["non_2xx"])


def _split(url: str) -> tuple[str, str]:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return f"{scheme}://{host}", f"/{path}"


def _wrk(url: str, *, seconds: float, threads: int, connections: int) -> Throughput:
    duration = max(1, round(seconds))
    result = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                             "--latency", url], capture_output=True, text=True, timeout=duration + 60)
    if result.returncode:
        raise RuntimeError(f"wrk failed: {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)


def parse_wrk(output: str) -> Throughput:
    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        if not match:
            raise RuntimeError(f"no {label}% latency in wrk output:\n{output}")
        return float(match.group(1)) * UNITS_MS[match.group(2)]

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if not (rps and total):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return Throughput(rps=float(rps.group(1)), p50_ms=ms("50"), p99_ms=ms("99"), requests=int(total.group(1)),
                      errors=errors)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (nan when empty)."""
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * pct // 100))
    return values[int(rank) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
