"""One nemesis run: the rig up, load, the seeded faults, a recovery window, then the invariants."""
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field

from kombu import Connection

from tests.chaos.shop import pay, wait_until
from tests.contract.client import ApiClient, unique
from tools.nemesis import invariants, schedule
from tools.nemesis.faults import Nemesis
from tools.nemesis.load import Call, Load
from tools.nemesis.rig import Rig

RECOVERY_LOAD = 10  # seconds the load goes on after the last fault healed
DRAIN_TIMEOUT = 180  # seconds to wait, from the last fault, for drained queues and stock that adds up
SAMPLE_EVERY = 2.0


@dataclass
class Result:
    seed: int
    duration: float
    stacks: list[str]
    faults: list[schedule.Fault]
    calls: list[Call] = field(default_factory=list)
    samples: list[tuple[float, dict]] = field(default_factory=list)  # (t, {queue: ready or None})
    started_at: float = 0  # wall clock (time.time()) at second 0 of the run
    last_healed: float = 0
    load_stopped: float = 0
    drained_after: float | None = None  # seconds after the last fault healed
    probes: dict = field(default_factory=dict)  # stack -> seconds from pay to committed stock, or None
    violations: dict = field(default_factory=dict)
    queues: dict = field(default_factory=dict)
    logs: str = ""

    @property
    def violation_count(self) -> int:
        return sum(len(found) for found in self.violations.values())


class Sampler(threading.Thread):
    """Ready messages of the stacks' queues every SAMPLE_EVERY s (AMQP passive declare: cheap; None when down)."""

    def __init__(self, rig: Rig, names: list[str], t0: float, samples: list):
        super().__init__(daemon=True)
        self.rig, self.names, self.t0, self.samples = rig, names, t0, samples
        self.stopping = threading.Event()
        self.failures: list[str] = []

    def depth(self) -> dict:
        depths = dict.fromkeys(self.names)
        try:
            with Connection(self.rig.rabbit.url, connect_timeout=2) as conn:
                for name in self.names:
                    channel = conn.channel()
                    try:
                        depths[name] = channel.queue_declare(name, passive=True).message_count
                    except Exception as error:  # this queue is gone (a 404 closes the channel): the next may not be
                        self.failures.append(f"{name}: {error!r}")
                    finally:
                        with suppress(Exception):
                            channel.close()
        except Exception as error:  # the broker is down
            self.failures.append(repr(error))
        return depths

    def run(self) -> None:
        while not self.stopping.wait(SAMPLE_EVERY):
            self.samples.append((time.monotonic() - self.t0, self.depth()))


def settled(rig: Rig, consuming: set[str]) -> bool:
    listing = rig.rabbit.list_queues()
    return (not invariants.queues(listing, consuming)
            and all(shop.unsent_outbox() == 0 and not invariants.stock(shop) and not invariants.stuck(shop)
                    for shop in rig.shops.values()))


def probe(shop, timeout: float = 60) -> float | None:
    """A fresh order, by a fresh customer (the load's may hold their most unpaid orders), placed and paid:
    seconds until its stock is committed (the consumers consume again)."""
    customer, product_id = ApiClient(shop.stack.url).register_and_login(unique("probe")), shop.product_ids[0]
    order = customer.place_ok({product_id: 1})
    started = time.monotonic()
    if pay(customer, order["id"]).status_code != 200:
        return None
    return wait_until(lambda: shop.sql("inventory", "SELECT status FROM inventory_reservation WHERE order_id = %s",
                                       (order["id"],)) == [("committed",)], timeout) and time.monotonic() - started


def run(seed: int, duration: float, monolith: bool = True, customers: int = 4) -> Result:
    with Rig(monolith=monolith, customers=customers) as rig:
        listing = rig.rabbit.list_queues()
        ours = [name for name in listing if any(name.startswith(s.namespace) for s in rig.stacks.values())]
        app_queues = [name for name in ours if "@" not in name]  # not the workers' pidbox (control) queues
        consuming = {name for name in ours if listing[name][2] > 0}
        faults = schedule.make(seed, duration, rig.stacks)
        result = Result(seed, duration, list(rig.stacks), faults, logs=str(rig.logs()))
        print(f"[nemesis] seed {seed}: {len(faults)} faults over {duration} s; queues consumed: {sorted(consuming)}; "
              f"logs in {rig.logs()}", flush=True)
        t0 = time.monotonic()
        result.started_at = time.time()
        sampler = Sampler(rig, sorted(app_queues), t0, result.samples)
        sampler.start()
        load = Load(rig.shops, seed, t0)
        with load:
            Nemesis(rig, faults, t0).run()
            result.last_healed = max((f.ended for f in faults), default=0)
            time.sleep(RECOVERY_LOAD)
        result.calls = load.calls
        result.load_stopped = time.monotonic() - t0
        waited = wait_until(lambda: settled(rig, consuming), DRAIN_TIMEOUT - (result.load_stopped - result.last_healed),
                            step=2)
        if waited is not None:
            result.drained_after = result.load_stopped + waited - result.last_healed
        sampler.stopping.set()
        print(f"[nemesis] {len(sampler.failures)} queue samples failed, e.g. {sampler.failures[-3:]}", flush=True)
        result.queues = {name: row for name, row in rig.rabbit.list_queues().items() if name in ours}
        result.violations = invariants.check(rig.shops, result.calls, result.queues, consuming)
        result.probes = {name: probe(shop) for name, shop in rig.shops.items()}
        result.violations["every consumer consumes again (a fresh paid order's stock committed)"] = [
            f"{name}: probe order not committed within 60 s" for name, seconds in result.probes.items()
            if seconds is None]
        if result.drained_after is None:
            result.violations["every queue drained, every consumer back"].append(
                f"not settled {DRAIN_TIMEOUT} s after the last fault")
        return result
