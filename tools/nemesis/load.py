"""Customer load on every stack: customers place, pay and cancel with Idempotency-Keys (retried with the same
key on no answer, 502, 503 or 504, a bounded number of times), and readers browse. Every answer is recorded."""
import random
import threading
import time
from dataclasses import dataclass

from tests.chaos.shop import ChaosShop, browsing, cancel, pay
from tests.contract.client import ApiClient, unique

RETRIED = {0, 502, 503, 504}  # 0: no answer (connection error or client timeout)
ATTEMPTS = 4
RETRY_PAUSE = 0.5


@dataclass
class Call:
    stack: str
    op: str  # place, pay, cancel, browse
    status: int
    at: float  # seconds after the load started
    ms: float
    order_id: int | None = None
    key: str = ""
    attempt: int = 1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Load:
    def __init__(self, shops: dict[str, ChaosShop], seed: int, t0: float, readers: int = 1):
        self.shops, self.t0 = shops, t0
        self.calls: list[Call] = []
        self.stopping = threading.Event()
        rng = random.Random(seed)
        self.threads = []
        for name, shop in shops.items():
            for client in shop.clients:
                self.threads.append(threading.Thread(target=self._customer, daemon=True,
                                                     args=(name, shop, client, random.Random(rng.random()))))
            for _ in range(readers):
                self.threads.append(threading.Thread(target=self._reader, daemon=True,
                                                     args=(name, shop, random.Random(rng.random()))))

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _call(self, stack: str, op: str, send, order_id=None, key: str = "") -> tuple[Call, dict]:
        """Sends until an answer that is not worth retrying, or ATTEMPTS; returns the last call and its body."""
        for attempt in range(1, ATTEMPTS + 1):
            started = time.monotonic()
            body = {}
            try:
                response = send()
                status = response.status_code
                if 200 <= status < 300 and response.content:
                    body = response.json()
            except (OSError, ValueError):
                status = 0
            call = Call(stack, op, status, started - self.t0, (time.monotonic() - started) * 1000,
                        order_id or body.get("id"), key, attempt)
            self.calls.append(call)
            if status not in RETRIED or not key or self.stopping.is_set():
                return call, body
            time.sleep(RETRY_PAUSE)
        return call, body

    def _customer(self, name: str, shop: ChaosShop, client: ApiClient, rng: random.Random) -> None:
        while not self.stopping.is_set():
            lines = {rng.choice(shop.product_ids): rng.randint(1, 2)}
            key = unique("nemesis")
            placed, order = self._call(name, "place", lambda: client.place(lines, headers={"Idempotency-Key": key}),
                                       key=key)
            if not placed.ok:
                time.sleep(0.2)
                continue
            roll = rng.random()
            if roll < 0.7:
                pay_key = unique("nemesis-pay")
                self._call(name, "pay", lambda: pay(client, order["id"], headers={"Idempotency-Key": pay_key}),
                           order_id=order["id"], key=pay_key)
            elif roll < 0.85:
                self._call(name, "cancel", lambda: cancel(client, order["id"]), order_id=order["id"])
            time.sleep(rng.uniform(0, 0.2))

    def _reader(self, name: str, shop: ChaosShop, rng: random.Random) -> None:
        client = ApiClient(shop.stack.url)  # a session of its own, with a customer's token
        client.session.headers.update(shop.clients[0].session.headers)
        while not self.stopping.is_set():
            product_id = rng.choice(shop.product_ids)
            path = rng.choice(browsing(product_id))
            self._call(name, "browse", lambda: client.get(path))
            time.sleep(rng.uniform(0.1, 0.4))
