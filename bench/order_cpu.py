"""CPU per placed order of POST /orders against the bare view that runs its SQL (bench.bare_orders), on a
started monolith stack (issue 13, goal 4). Concurrent clients post orders through one path, then the other,
in rounds that alternate which goes first; /proc says what the monolith's processes and their PostgreSQL
backends spent. `python -m bench.order_cpu` is the load client, run as its own process.

    runs = measure(stack, tokens, product_ids, rounds=3, orders_per_client=40)
    ratio(runs)  # median over rounds of real / bare, shop total (web server + PostgreSQL) per placed order"""
import json
import random
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench import BARE_ORDERS_PATH, cpu
from bench.drivers import ROOT, median
from bench.load import Connection

PATHS = {"POST /orders": "/orders", "bare view, same SQL": f"/{BARE_ORDERS_PATH}"}
POSTGRES = "PostgreSQL"


@dataclass(frozen=True)
class OrderCpu:
    target: str
    round: int
    placed: int
    cpu_ms: dict  # CPU milliseconds per placed order, by process group

    @property
    def shop_total(self) -> float:
        """The monolith's web server processes plus their PostgreSQL backends."""
        return self.cpu_ms.get("monolith", 0.0) + self.cpu_ms.get(POSTGRES, 0.0)


def measure(stack, tokens: list[str], product_ids: list[int], *, rounds: int = 3,
            orders_per_client: int = 40) -> list[OrderCpu]:
    """Each round posts len(tokens) x orders_per_client one-line orders through each path. The products must
    hold enough stock for every order (a refusal fails the run: only placed orders are priced)."""
    roots = {process.pid: name for name, process in stack.processes.items()}
    databases = {f"{stack.db_prefix}_": POSTGRES}
    runs = []
    for r in range(rounds):
        for target, path in (list(PATHS.items()) if r % 2 == 0 else list(PATHS.items())[::-1]):
            job = {"url": stack.url, "path": path, "tokens": tokens, "product_ids": product_ids,
                   "orders_per_client": orders_per_client}
            before = cpu.snapshot()
            placed = _post(job)
            spent = cpu.spent(before, cpu.snapshot(), roots, databases)
            runs.append(OrderCpu(target, r + 1, placed, {group: 1000 * seconds / placed
                                                         for group, seconds in spent.items() if seconds > 0}))
    return runs


def ratio(runs: list[OrderCpu], *, group: str | None = None) -> float:
    """Median over rounds of real / bare CPU per placed order: shop total, or one process group."""
    value = (lambda run: run.shop_total) if group is None else (lambda run: run.cpu_ms.get(group, 0.0))
    by_round = {}
    for run in runs:
        by_round.setdefault(run.round, {})[run.target] = value(run)
    real, bare = PATHS
    return median([cpus[real] / cpus[bare] for cpus in by_round.values() if cpus.get(bare)])


def _post(job: dict) -> int:
    result = subprocess.run([sys.executable, "-m", "bench.order_cpu"], cwd=ROOT, input=json.dumps(job), text=True,
                            capture_output=True, timeout=120 + 2 * len(job["tokens"]) * job["orders_per_client"])
    if result.returncode:
        raise RuntimeError(f"bench.order_cpu failed on {job['path']}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)["placed"]


def load(job: dict) -> dict:
    """Each client posts its orders one after the other over one keep-alive connection, each with a new key."""
    def client(token: str, seed: int) -> int:
        rng, conn = random.Random(seed), Connection(job["url"], {"Authorization": f"Bearer {token}"})
        for _ in range(job["orders_per_client"]):
            item = {"product_id": rng.choice(job["product_ids"]), "quantity": rng.randint(1, 3)}
            status, body = conn.request("POST", job["path"], {"items": [item]},
                                        headers={"Idempotency-Key": uuid.uuid4().hex})
            if status != 201:
                raise RuntimeError(f"POST {job['path']} answered {status}: {body[:300]!r}")
        conn.close()
        return job["orders_per_client"]

    with ThreadPoolExecutor(len(job["tokens"])) as pool:  # a failed client's exception ends the run
        return {"placed": sum(pool.map(client, job["tokens"], range(len(job["tokens"]))))}


if __name__ == "__main__":
    json.dump(load(json.load(sys.stdin)), sys.stdout)
