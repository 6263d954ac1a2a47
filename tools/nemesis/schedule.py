"""A seeded random schedule of faults: every kind once, then extra ones, overlapping unless they share a resource."""
import random
from dataclasses import dataclass

WARMUP = 10  # seconds of load before the first fault
FREEZE_SECONDS = 65  # a frozen worker: above RabbitMQ's 60 s heartbeat (Celery proposes 120, the server 60)


@dataclass
class Fault:
    kind: str
    stack: str  # "split", "monolith", or "" for the shared broker and Redis
    target: str  # a role, an app's database, or "" for the broker and Redis
    at: float  # seconds after the load started
    seconds: float  # how long the fault holds (0: instantaneous)
    started: float | None = None  # what actually happened, filled in by the nemesis
    ended: float | None = None
    error: str = ""

    @property
    def resource(self) -> str:
        """Two faults on one resource never overlap (a broker cannot be stopped while it restarts)."""
        if self.kind in ("broker-app", "broker-node"):
            return "broker"
        if self.kind in ("worker-kill", "worker-freeze"):
            return f"{self.stack}:{self.target}-worker"
        if self.kind in ("service-kill", "service-freeze", "service-partition"):
            return f"{self.stack}:{self.target}"
        return f"{self.stack}:{self.kind}:{self.target}"

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.kind, self.stack, self.target) if part)


# kind -> (shortest, longest) hold in seconds
HOLDS = {"broker-app": (5, 20), "broker-node": (3, 10), "worker-kill": (1, 4), "worker-freeze": (FREEZE_SECONDS,) * 2,
         "service-kill": (1, 4), "service-freeze": (5, 15), "service-partition": (5, 20), "db-terminate": (0, 6),
         "redis-stop": (5, 15), "beat-kill": (2, 8)}


def targets(kind: str, stacks: dict) -> list[tuple[str, str]]:
    """(stack, target) pairs a fault of this kind may hit, from the stacks the nemesis started."""
    if kind in ("broker-app", "broker-node", "redis-stop"):
        return [("", "")]
    pairs = []
    for name, stack in stacks.items():
        workers = [n.removesuffix("-worker") for n, _, _ in stack.background_commands() if n.endswith("-worker")]
        apps = ("users", "catalog", "orders", "inventory")
        pairs += {"worker-kill": [(name, w) for w in workers], "worker-freeze": [(name, w) for w in workers],
                  "service-kill": [(name, r) for r in stack.roles], "service-freeze": [(name, r) for r in stack.roles],
                  "service-partition": [(name, r) for r in stack.enclaves],
                  "db-terminate": [(name, app) for app in apps], "beat-kill": [(name, "beat")]}[kind]
    return pairs


def make(seed: int, duration: float, stacks: dict, mean_gap: float = 15) -> list[Fault]:
    """Every kind once at a random time, then one fault every `mean_gap` s on average; all end by `duration`."""
    rng = random.Random(seed)
    kinds = sorted(HOLDS)
    rng.shuffle(kinds)
    extra = max(0, int((duration - WARMUP) / mean_gap) - len(kinds))
    wanted = kinds + [rng.choice(sorted(HOLDS)) for _ in range(extra)]
    schedule: list[Fault] = []
    for kind in wanted:
        for _ in range(20):  # a few tries to find a free slot for this kind
            shortest, longest = HOLDS[kind]
            seconds = round(rng.uniform(shortest, longest), 1)
            latest = duration - seconds
            if latest < WARMUP:
                break
            candidates = targets(kind, stacks)
            if not candidates:  # e.g. a partition, with no service in a namespace of its own
                break
            stack, target = rng.choice(candidates)
            fault = Fault(kind, stack, target, round(rng.uniform(WARMUP, latest), 1), seconds)
            if not any(f.resource == fault.resource and _overlap(f, fault) for f in schedule):
                schedule.append(fault)
                break
    return sorted(schedule, key=lambda f: f.at)


# seconds a fault takes beyond its hold: a node's boot, a service's start until healthy
RESTART = {"broker-node": 30, "broker-app": 5, "service-kill": 15, "worker-kill": 5, "redis-stop": 1, "beat-kill": 3}


def _overlap(a: Fault, b: Fault, margin: float = 5) -> bool:
    """Planned spans overlap (the nemesis also waits for a busy resource, so a slow restart only delays the next)."""
    a_end, b_end = a.at + a.seconds + RESTART.get(a.kind, 0), b.at + b.seconds + RESTART.get(b.kind, 0)
    return a.at < b_end + margin and b.at < a_end + margin
