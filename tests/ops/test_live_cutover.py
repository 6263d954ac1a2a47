"""A live cutover under load (issue 20): customers register, log in, place, pay and cancel orders with
`Idempotency-Key`s and anonymous readers browse, through one entry point (tools/entry.py), while the shop walks
monolith -> hybrid (gateway, users,catalog,orders, inventory) -> split -> monolith with tools/cutover.py.
Then, once quiet, from outside and from the databases: nothing lost, doubled or stuck, every queue empty, and
no failure left after the client's retry policy (docs/cutover.md). Figures are printed (pytest -s)."""
import random
import threading
import time
from dataclasses import dataclass

import psycopg
import pytest
import requests

from tests.chaos.conftest import CHAOS_ENV
from tests.chaos.shop import ChaosShop, Load, Outcome, wait_until
from tests.chaos.test_faults import quiesce
from tests.conftest import BROKER_URL, POSTGRES_URL, REDIS_URL, _free_port_base, running
from tests.contract.client import PASSWORD, ApiClient, unique
from tools import entry
from tools.cutover import cut_over, entry_port
from tools.stack import TASK_APPS, ports_from

pytestmark = [pytest.mark.skipif(not (POSTGRES_URL and BROKER_URL and REDIS_URL),
                                 reason="a live cutover runs on PostgreSQL, RabbitMQ and Redis: make test-services"),
              pytest.mark.skipif(not entry.installed(), reason="the entry point is HAProxy: make test-services "
                                                               "installs Debian's haproxy")]
WALK = ("hybrid", "split", "monolith")
SETTLE_SECONDS = 4  # of load on each topology before the next switch
RETRIES = 5  # the client's retry policy: the same request (and key) again after a connection error or a 503
BACKOFF = 0.25  # seconds before the first retry, doubled for each next one
ORDERS_PER_CUSTOMER = 8  # then a new customer registers: well inside the holding limits of tests/conftest.py
CUSTOMERS, READERS = 5, 2
OK = {"register": {201}, "login": {200}, "place": {201}, "pay": {200}, "cancel": {200}, "browse": {200}}


@dataclass
class Front:
    """What ChaosShop needs of a stack: the URL clients use (the entry point) and the databases' prefix."""

    url: str
    db_prefix: str


@dataclass
class Attempted(Outcome):
    attempts: int = 1  # requests sent for this one operation (retries included)


class CutoverLoad(Load):
    """Customers in a loop (register, log in, a few orders each paid, cancelled or left pending) and readers,
    every operation retried by the client's policy; each operation's final answer is one outcome."""

    def __init__(self, shop: ChaosShop, seed: int = 20):
        super().__init__(shop, seed)
        self.lock = threading.Lock()
        self.crashes: list[BaseException] = []  # a client thread's own bug must fail the test, not thin the load
        loops = [self._customers] * CUSTOMERS + [self._reader] * READERS
        self.threads = [threading.Thread(target=self._recording_crashes, args=(loop, random.Random(self.rng.random())))
                        for loop in loops]

    def _recording_crashes(self, loop, rng: random.Random) -> None:
        try:
            loop(rng)
        except Exception as exc:
            self.crashes.append(exc)

    def _call(self, op: str, order_id: int | None, call) -> Attempted:
        started = time.monotonic()
        for attempt in range(RETRIES + 1):
            try:
                response = call()
                status = response.status_code
            except requests.ConnectionError:
                response, status = None, 0
            if status not in (0, 503) or attempt == RETRIES:
                break
            time.sleep(BACKOFF * 2 ** attempt)
        outcome = Attempted(op, order_id, status, started, (time.monotonic() - started) * 1000, attempt + 1)
        outcome.response = response
        with self.lock:
            self.outcomes.append(outcome)
        return outcome

    def _customers(self, rng: random.Random) -> None:
        while not self.stopping.is_set():
            client, name = ApiClient(self.shop.stack.url), unique("cut")
            registered = self._call("register", None, lambda: client.post(
                "/register", {"username": name, "email": f"{name}@example.com", "password": PASSWORD}))
            if registered.status not in OK["register"]:
                return
            logged_in = self._call("login", None, lambda: client.post("/login", {"username": name,
                                                                               "password": PASSWORD}))
            if logged_in.status not in OK["login"]:
                return
            client.authorize(logged_in.response.json()["access"])
            with self.lock:
                self.shop.clients.append(client)
            for _ in range(ORDERS_PER_CUSTOMER):
                if self.stopping.is_set() or not self._order(client, rng):
                    return

    def _order(self, client: ApiClient, rng: random.Random) -> bool:
        key = {"Idempotency-Key": unique("place")}
        placed = self._call("place", None, lambda: client.place({rng.choice(self.shop.product_ids): rng.randint(1, 2)},
                                                                headers=key))
        if placed.status not in OK["place"]:
            return False
        order_id = placed.order_id = placed.response.json()["id"]
        roll = rng.random()
        if roll < 0.7:
            key = {"Idempotency-Key": unique("pay")}
            paid = self._call("pay", order_id, lambda: client.post(f"/orders/{order_id}/pay", headers=key))
            return paid.status == 200
        if roll < 0.85:
            cancelled = self._call("cancel", order_id, lambda: client.post(f"/orders/{order_id}/cancel"))
            if cancelled.status == 409 and cancelled.attempts > 1:  # an earlier attempt did cancel it
                cancelled.status = 200 if client.get(f"/orders/{order_id}").json()["status"] == "cancelled" else 409
            return cancelled.status == 200
        return True

    def _reader(self, rng: random.Random) -> None:
        reader = ApiClient(self.shop.stack.url)
        while not self.stopping.is_set():
            path = rng.choice(["/products", f"/products/{rng.choice(self.shop.product_ids)}",
                               f"/inventory/{rng.choice(self.shop.product_ids)}"])
            self._call("browse", None, lambda: reader.get(path))
            time.sleep(0.05)

    def failures(self, since: float = 0, until: float = float("inf")) -> list[Attempted]:
        return [o for o in self.outcomes if since <= o.started <= until and o.status not in OK[o.op]]

    def p99(self, since: float, until: float) -> float:
        times = sorted(o.ms for o in self.outcomes if since <= o.started <= until)
        return times[min(len(times) - 1, int(len(times) * 0.99))]


@pytest.fixture
def shop_at_entry(tmp_path_factory):
    """The monolith behind its own entry point; yields (stack, entry, shop); stops whatever topology runs last."""
    env = {**CHAOS_ENV, "SHOP_BEAT_LEASE_SECONDS": "6"}
    with running("monolith", tmp_path_factory, extra_env=env) as first:
        front = entry.Entry(first.data_dir, _free_port_base()).start(entry_port(first))
        stacks = [first]
        try:
            yield stacks, front, ChaosShop(Front(front.url, first.db_prefix), customers=0)
        finally:
            stacks[-1].stop()
            front.stop()


def queued_messages(namespace: str) -> int:
    from kombu import Connection

    with Connection(BROKER_URL, connect_timeout=5) as conn, conn.channel() as channel:
        return sum(channel.queue_declare(f"{namespace}{app}", passive=True).message_count for app in TASK_APPS)


def test_monolith_to_hybrid_to_split_to_monolith_under_load(shop_at_entry):
    stacks, front, shop = shop_at_entry
    switches = []
    with CutoverLoad(shop) as load:
        time.sleep(SETTLE_SECONDS)
        for topology in WALK:
            current = stacks[-1]
            pids = {name: process.pid for name, process in current.processes.items()}
            new, switch = cut_over(current, pids, front, topology, ports_from(_free_port_base()))
            stacks.append(new)
            switches.append(switch)
            time.sleep(SETTLE_SECONDS)
        stopped = time.monotonic()
    quiesce(shop, stopped)
    namespace = stacks[0].namespace
    assert wait_until(lambda: queued_messages(namespace) == 0, 60) is not None, queued_messages(namespace)

    report(load, switches)
    assert load.crashes == []
    assert load.failures() == [], [(o.op, o.status, o.attempts) for o in load.failures()]
    assert all(any(o.op == op for o in load.outcomes) for op in OK), "every kind of operation ran"
    shop.assert_invariants(load.outcomes)  # acknowledged orders once each; stock = stocked - paid; reserved = live
    assert_one_charge_and_one_commit_per_paid_order(shop, stacks[0])


def assert_one_charge_and_one_commit_per_paid_order(shop: ChaosShop, stack) -> None:
    orders = shop.orders()
    paid = {order_id for order_id, order in orders.items() if order["status"] == "paid"}
    payments = dict(shop.sql("orders", "SELECT order_id, charge_id FROM orders_payment"))
    assert set(payments) == paid
    import sqlite3

    with sqlite3.connect(stack.data_dir / "simulated-processor.sqlite3") as ledger:
        charges = [row[0] for row in ledger.execute("SELECT charge_id FROM charges WHERE charge_id IS NOT NULL")]
    assert sorted(charges) == sorted(payments.values())  # one charge per paid order, none for any other
    committed = shop.sql("inventory", "SELECT order_id, product_id, quantity FROM inventory_reservation "
                                      "WHERE status = 'committed'")
    assert {(o, p): q for o, p, q in committed} == {
        (order_id, line["product_id"]): line["quantity"] for order_id in paid for line in orders[order_id]["items"]}


def report(load: CutoverLoad, switches: list) -> None:
    print(f"\n[live cutover] {len(load.outcomes)} operations, "
          f"{sum(o.attempts - 1 for o in load.outcomes)} retried requests, {len(load.failures())} failures after "
          f"retries; by status: { {op: dict(sorted(c.items())) for op, c in load.statuses().items()} }")
    quiet = [o for o in load.outcomes if not any(s.started <= o.started <= s.drained for s in switches)]
    print(f"  outside the switches: p99 {sorted(o.ms for o in quiet)[int(len(quiet) * 0.99)]:.0f} ms")
    for switch in switches:
        window = (switch.started, switch.drained)
        retried = sum(o.attempts - 1 for o in load.outcomes if window[0] <= o.started <= window[1])
        print(f"  {switch}; during it: p99 {load.p99(*window):.0f} ms, {len(load.failures(*window))} failures, "
              f"{retried} retried requests")
