"""Moves a running local shop from one topology to another, live, and back the same way (docs/cutover.md).

    python -m tools.stack monolith --entry         # the shop at :8000 through an entry point that can switch
    python -m tools.cutover --to hybrid            # in another terminal: monolith -> the hybrid
    python -m tools.cutover --to "gateway users,catalog,orders inventory"   # the same, named by its processes
    python -m tools.cutover --from hybrid --to monolith                    # the rollback

The steps: the new processes start beside the old ones on the same data (`Stack.beside`); once every one is
healthy, the entry point (tools/entry.py) sends new requests to the new topology; the old processes drain and
stop, in an order that keeps each one's callees up while it finishes: the old entry role (the web server's graceful
stop: requests in flight finish), then its Celery workers (warm shutdown: tasks in flight finish), then its
other roles, then its beat (which hands the lease over). If the new processes do not become healthy, they are
stopped and the old topology keeps serving.

The running stack is found by its state file, <data dir>/cutover.json: `tools.stack --entry` writes it, each
cutover rewrites it, and the `tools.stack` process stops what it lists when it stops."""
import argparse
import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from shop.platform.topology import PORTS
from tools.entry import Entry
from tools.stack import ROOT, TOPOLOGIES, Stack, port_free, ports_from, roles_of, seed

STATE_FILE = "cutover.json"
ENTRY_ROLES = ("monolith", "gateway")
PORT_BASES = range(8100, 8400, 10)  # where topologies listen behind the entry point
DRAIN_SECONDS = 30  # the web server's grace (SHOP_WEB_GRACE) is 10 s; a worker's tasks are short


@dataclass
class Switch:
    """One cutover's timeline (time.monotonic() values)."""

    source: str
    target: str
    started: float
    healthy: float = 0.0  # every new process answers /health/
    switched: float = 0.0  # the entry point sends new requests to the new topology
    drained: float = 0.0  # every old process has stopped

    def __str__(self) -> str:
        return (f"{self.source} -> {self.target}: {self.drained - self.started:.1f} s (new processes healthy after "
                f"{self.healthy - self.started:.1f} s, switched at {self.switched - self.started:.1f} s, old ones "
                f"drained {self.drained - self.switched:.1f} s later)")


def target(words: str) -> str:
    """A topology named by a TOPOLOGIES name or by its processes ("gateway users,catalog,orders inventory")."""
    if words.strip() in TOPOLOGIES:
        return words.strip()
    groups = [word for word in words.split() if word != "gateway"]
    if not groups or set(groups) & set(TOPOLOGIES):
        raise ValueError(f"{words!r}: name one of {', '.join(TOPOLOGIES)}, or groups of apps behind the gateway")
    topology = " ".join(groups)
    roles_of(topology)  # refuses a bad group, naming what is allowed
    return topology


def same(topology: str, other: str) -> bool:
    """Whether two names mean the same processes ("hybrid" and "users,catalog,orders inventory")."""
    return set(roles_of(topology)) == set(roles_of(other))


def entry_role(stack: Stack) -> str:
    return next(role for role in stack.roles if role in ENTRY_ROLES)


def entry_port(stack: Stack) -> int:
    return stack.port(entry_role(stack))


def free_ports(taken: dict | None = None) -> dict:
    """A port layout (ports_from) on loopback whose five ports are free and not in `taken`."""
    busy = set((taken or {}).values())
    for base in PORT_BASES:
        if all(port_free(base + offset) and base + offset not in busy for offset in range(5)):
            return ports_from(base)
    raise RuntimeError(f"no five free ports from {PORT_BASES.start} to {PORT_BASES.stop}")


def drain_order(stack: Stack, names) -> list[list[str]]:
    """The old processes in the order they stop, in steps: the entry role; the Celery workers (app and
    backstop: every process that is neither a role nor the beat); other roles; the beat."""
    entry = entry_role(stack)
    steps = [[n for n in names if n == entry], [n for n in names if n not in stack.roles and n != "beat"],
             [n for n in names if n in stack.roles and n != entry], [n for n in names if n == "beat"]]
    return [step for step in steps if step]


def drain(stack: Stack, pids: dict[str, int], log=lambda line: None) -> None:
    """SIGTERM (graceful) to each step's processes at once; the next step when they have all exited."""
    for step in drain_order(stack, pids):
        started = time.monotonic()
        for name in step:
            with _gone_already():
                os.killpg(pids[name], signal.SIGTERM)
        deadline = started + DRAIN_SECONDS
        while not all(_exited(pids[name]) for name in step):
            if time.monotonic() > deadline:
                for name in step:
                    with _gone_already():
                        os.killpg(pids[name], signal.SIGKILL)
            time.sleep(0.1)
        log(f"  stopped {', '.join(step)} in {time.monotonic() - started:.1f} s")


class _gone_already:
    def __enter__(self):
        return self

    def __exit__(self, kind, *_):
        return kind is not None and issubclass(kind, ProcessLookupError)


def _exited(pid: int) -> bool:
    """Whether the process has exited: reaped if it is our child, absent or a zombie if it is not."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        return reaped == pid
    except ChildProcessError:
        pass
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def cut_over(old: Stack, pids: dict[str, int], entry: Entry, topology: str, ports: dict,
             log=print) -> tuple[Stack, Switch]:
    """Moves the shop from `old` (its processes' pids) to `topology` on `ports`; returns the new stack."""
    switch = Switch(old.topology, topology, started=time.monotonic())
    new = old.beside(topology, ports)
    log(f"starting {' '.join(new.roles)} beside {' '.join(old.roles)}")
    try:
        new.start()  # migrates (a no-op on the shared databases), starts, waits until every role is healthy
    except BaseException:
        log("the new processes did not become healthy: stopping them; the old topology keeps serving")
        new.stop()
        raise
    switch.healthy = time.monotonic()
    entry.switch(entry_port(new))
    switch.switched = time.monotonic()
    log(f"switched the entry point {entry.url} to {new.url}; draining {', '.join(pids)}")
    drain(old, pids, log)
    old.processes.clear()
    switch.drained = time.monotonic()
    log(str(switch))
    return new, switch


# The state file: how a cutover finds a stack that `python -m tools.stack --entry` started.

def save(stack: Stack, pids: dict[str, int], entry: Entry) -> None:
    state = {"topology": stack.topology, "ports": stack.ports, "pids": pids, "entry_port": entry.port,
             "postgres_url": stack.postgres_url, "broker_url": stack.broker_url, "redis_url": stack.redis_url,
             "namespace": stack.namespace, "server": stack.server, "web_workers": stack.web_workers,
             "web_threads": stack.web_threads}
    path = stack.data_dir / STATE_FILE
    path.with_suffix(".tmp").write_text(json.dumps(state, indent=2))
    path.with_suffix(".tmp").replace(path)  # atomic: a reader sees the old state or the new one


def load(data_dir: Path) -> tuple[Stack, dict[str, int], Entry]:
    state = json.loads((Path(data_dir) / STATE_FILE).read_text())
    stack = Stack(state["topology"], Path(data_dir), ports=state["ports"], postgres_url=state["postgres_url"],
                  broker_url=state["broker_url"], redis_url=state["redis_url"], namespace=state["namespace"],
                  server=state["server"], web_workers=state["web_workers"],
                  web_threads=state["web_threads"], owns_data=False)
    return stack, state["pids"], Entry(Path(data_dir), state["entry_port"])


def serve(stack: Stack, seed_demo: bool = False) -> None:
    """`python -m tools.stack <topology> --entry`: the topology behind an entry point on the public port, until
    Ctrl-C, which stops whatever topology the state file names by then."""
    stack.ports = free_ports({"entry": PORTS["gateway"]})
    entry = Entry(stack.data_dir, PORTS["gateway"])
    with stack:
        entry.start(entry_port(stack))
        try:
            save(stack, {name: process.pid for name, process in stack.processes.items()}, entry)
            if seed_demo:
                seed(stack)
            print(f"shop ({stack.topology}) at {entry.url} through the entry point, now on {stack.url}; "
                  f"`python -m tools.cutover --to <topology>` moves it; Ctrl-C stops everything.", flush=True)
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            try:
                while True:
                    time.sleep(1)
                    for process in stack.processes.values():
                        process.poll()  # reaps what a cutover stopped, so that it sees them gone
            except KeyboardInterrupt:
                pass
            current, pids, _ = load(stack.data_dir)
            own = {process.pid for process in stack.processes.values()}
            drain(current, {name: pid for name, pid in pids.items() if pid not in own})  # a cutover's processes
        finally:
            entry.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--to", required=True, help="the new topology: monolith, hybrid, split, or its processes "
                        "(\"gateway users,catalog,orders inventory\")")
    parser.add_argument("--from", dest="source", help="the running topology, checked before anything starts")
    parser.add_argument("--data-dir", help="the running stack's data dir (default: the one under data/ with a "
                        f"{STATE_FILE})")
    args = parser.parse_args()
    data_dir = Path(args.data_dir) if args.data_dir else running_data_dir()
    if not (data_dir / STATE_FILE).exists():
        parser.error(f"no {STATE_FILE} in {data_dir}: start the shop with `python -m tools.stack <topology> --entry`")
    old, pids, entry = load(data_dir)
    try:
        new_topology, source = target(args.to), args.source and target(args.source)
    except ValueError as exc:
        parser.error(str(exc))
    if source and not same(source, old.topology):
        parser.error(f"the shop in {data_dir} runs {old.topology!r}, not {source!r}")
    if same(new_topology, old.topology):
        parser.error(f"the shop in {data_dir} already runs {old.topology!r}")
    new, _ = cut_over(old, pids, entry, new_topology, free_ports(old.ports))
    save(new, {name: process.pid for name, process in new.processes.items()}, entry)


def running_data_dir() -> Path:
    found = sorted((ROOT / "data").glob(f"*/{STATE_FILE}"))
    if len(found) != 1:
        raise SystemExit(f"{len(found)} stacks with a {STATE_FILE} under data/: name one with --data-dir")
    return found[0].parent


if __name__ == "__main__":
    main()
