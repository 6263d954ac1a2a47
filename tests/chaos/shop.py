"""The chaos tests' view of a running shop: a customer load, the test's own databases, invariants.

Jepsen's shape: load, fault, quiesce, then check from the outside that every acknowledged answer is
reflected exactly once and that stock adds up."""
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg

from tests.conftest import POSTGRES_URL, STAFF
from tests.contract.client import ApiClient, unique

LIVE = ("pending", "paying")


@dataclass
class Outcome:
    op: str
    order_id: int | None
    status: int  # 0: no answer (connection error or client timeout)
    started: float
    ms: float


@dataclass
class ChaosShop:
    """Products with plenty of stock and logged-in customers on a running stack."""

    stack: object
    customers: int = 6
    products: int = 3
    stock: int = 10_000
    product_ids: list = field(default_factory=list)
    clients: list = field(default_factory=list)

    def __post_init__(self):
        staff = ApiClient(self.stack.url).login(STAFF["username"], STAFF["password"])
        for _ in range(self.products):
            product = staff.post("/products", {"name": "Chaos widget", "price": "3.00", "sku": unique("CHAOS")})
            assert staff.post(f"/inventory/{product.json()['id']}", {"quantity": self.stock}).status_code == 200
            self.product_ids.append(product.json()["id"])
        self.clients = [ApiClient(self.stack.url).register_and_login(unique("chaos")) for _ in range(self.customers)]

    def sql(self, app: str, query: str, params=()) -> list:
        with psycopg.connect(f"{POSTGRES_URL}/{self.stack.db_prefix}_{app}", autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def terminate_connections(self, app: str) -> int:
        """pg_terminate_backend on every connection to this stack's own database of `app`."""
        return len(self.sql(app, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()"))

    def orders(self) -> dict[int, dict]:
        """Every order the customers can see, by id."""
        seen = {}
        for client in self.clients:
            path = "/orders?page_size=100"
            while path:
                page = client.get(path)
                assert page.status_code == 200, page.text
                seen.update({order["id"]: order for order in page.json()["results"]})
                path = (page.json()["next"] or "").removeprefix(self.stack.url) or None
        return seen

    def expected_stock(self, orders: dict[int, dict]) -> dict[int, tuple[int, int]]:
        sold, held = Counter(), Counter()
        for order in orders.values():
            for line in order["items"]:
                if order["status"] == "paid":
                    sold[line["product_id"]] += line["quantity"]
                elif order["status"] in LIVE:
                    held[line["product_id"]] += line["quantity"]
        return {pid: (self.stock - sold[pid], held[pid]) for pid in self.product_ids}

    def actual_stock(self) -> dict[int, tuple[int, int]]:
        levels = {pid: self.clients[0].stock(pid) for pid in self.product_ids}
        return {pid: (level["on_hand"], level["reserved"]) for pid, level in levels.items()}

    def unsent_outbox(self) -> int:
        return self.sql("orders", "SELECT count(*) FROM orders_orderoutbox WHERE sent_at IS NULL")[0][0]

    def in_flight_orders(self) -> list:
        return self.sql("orders", "SELECT id, status, created_at, updated_at FROM orders_order "
                                  "WHERE status IN ('placing', 'paying')")

    def in_flight(self) -> int:
        return len(self.in_flight_orders())

    def consistent(self) -> bool:
        return self.in_flight() == 0 and self.actual_stock() == self.expected_stock(self.orders())

    def assert_invariants(self, outcomes: list[Outcome]) -> None:
        orders = self.orders()
        assert self.in_flight() == 0, "an order was left placing or paying"
        assert self.actual_stock() == self.expected_stock(orders)  # on_hand = stocked - paid; reserved = live
        placed = [o.order_id for o in outcomes if o.op == "place" and o.status == 201]
        assert len(placed) == len(set(placed)) and set(placed) <= set(orders)  # each acknowledged order, once
        attempts = sum(1 for o in outcomes if o.op == "place")
        assert len(orders) <= attempts  # no order from nowhere: at most one per placement attempt
        for op, final in (("pay", "paid"), ("cancel", "cancelled")):
            acknowledged = {o.order_id for o in outcomes if o.op == op and o.status == 200}
            assert all(orders[order_id]["status"] == final for order_id in acknowledged), op


class Load:
    """Each customer places an order on a random hot product, then pays (70 %), cancels (15 %) or leaves
    it pending, in a loop until the block exits. Every answer is recorded."""

    def __init__(self, shop: ChaosShop, seed: int = 8):
        self.shop, self.rng = shop, random.Random(seed)
        self.outcomes: list[Outcome] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._customer, args=(client, random.Random(self.rng.random())))
                        for client in shop.clients]

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _call(self, op: str, order_id: int | None, call) -> Outcome:
        started = time.monotonic()
        try:
            status = call().status_code
        except OSError:
            status = 0
        outcome = Outcome(op, order_id, status, started, (time.monotonic() - started) * 1000)
        self.outcomes.append(outcome)
        return outcome

    def _customer(self, client: ApiClient, rng: random.Random) -> None:
        while not self.stopping.is_set():
            lines = {rng.choice(self.shop.product_ids): rng.randint(1, 2)}
            answer = {}

            def place():
                response = client.place(lines, headers={"Idempotency-Key": unique("chaos")})
                answer.update(response.json() if response.status_code == 201 else {})
                return response

            placed = self._call("place", None, place)
            if placed.status != 201:
                time.sleep(0.1)
                continue
            placed.order_id = answer["id"]
            roll = rng.random()
            if roll < 0.85:
                op = "pay" if roll < 0.7 else "cancel"
                self._call(op, answer["id"], lambda: client.post(f"/orders/{answer['id']}/{op}"))

    def statuses(self, since: float = 0, until: float = float("inf")) -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for o in self.outcomes:
            if since <= o.started <= until:
                counts.setdefault(o.op, Counter())[o.status] += 1
        return counts


def wait_until(condition, timeout: float, step: float = 0.5) -> float | None:
    """Seconds until condition() held, or None if it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None


def pay(client: ApiClient, order_id: int, **kwargs):
    return client.post(f"/orders/{order_id}/pay", **kwargs)


def cancel(client: ApiClient, order_id: int, **kwargs):
    return client.post(f"/orders/{order_id}/cancel", **kwargs)


def browsing(product_id: int) -> tuple[str, ...]:
    """What a reader looks at: a page of products, one product, its stock."""
    return "/products?page_size=20", f"/products/{product_id}", f"/inventory/{product_id}"
