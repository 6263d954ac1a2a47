"""The nemesis's parts that need no running shop: a seed reproduces its schedule, the checks can fail, and a
partition cuts for real."""
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from decimal import Decimal

from tests.contract.client import poll
from tools.nemesis import invariants, schedule
from tools.nemesis.enclave import Enclave, free_index
from tools.nemesis.load import Call


class FakeStack:
    def __init__(self, roles, workers, enclaves=()):
        self.roles, self.workers, self.enclaves = roles, workers, dict.fromkeys(enclaves)

    def background_commands(self):
        return [(f"{w}-worker", w, []) for w in self.workers] + [("beat", self.workers[0], [])]


STACKS = {"split": FakeStack(("users", "catalog", "orders", "inventory", "gateway"), ("orders", "inventory"),
                             enclaves=("inventory",)),
          "monolith": FakeStack(("monolith",), ("monolith",))}


def test_a_seed_reproduces_its_schedule_and_other_seeds_differ():
    assert schedule.make(21, 180, STACKS) == schedule.make(21, 180, STACKS)
    assert schedule.make(21, 180, STACKS) != schedule.make(22, 180, STACKS)


def test_three_minutes_hold_every_kind_and_no_resource_is_hit_twice_at_once():
    for seed in range(20):
        faults = schedule.make(seed, 180, STACKS)
        assert {f.kind for f in faults} >= set(schedule.HOLDS) - {"worker-freeze"}, seed  # a freeze may not fit
        assert all(schedule.WARMUP <= f.at and f.at + f.seconds <= 180 for f in faults)
        for a in faults:
            assert not any(b is not a and b.resource == a.resource and schedule._overlap(a, b, 0) for b in faults)


@dataclass
class FakeShop:
    """Canned rows by table, as ChaosShop.sql returns them."""
    tables: dict
    product_ids: list = field(default_factory=lambda: [1])
    stock: int = 10

    def sql(self, app, query, params=()):
        return next(rows for table, rows in self.tables.items() if table in query)


def shop(reservation_status: str, on_hand: int = 8) -> FakeShop:
    return FakeShop({"orderline": [(7, "paid", 1, 2)], "inventory_reservation": [(7, 1, 2, reservation_status)],
                     "inventory_stock": [(1, on_hand, 0)]})


def test_the_stock_check_finds_an_uncommitted_paid_order_and_a_double_commit():
    assert invariants.stock(shop("committed")) == []
    assert invariants.stock(shop("reserved")) == ["paid order 7: reservation of product 1 is (2, 'reserved')"]
    assert invariants.stock(shop("committed", on_hand=6)) == ["product 1: (on_hand, reserved) (6, 0), expected (8, 0)"]


def test_the_order_checks_find_a_lost_order_a_key_answered_twice_and_a_charge_without_a_paid_order():
    calls = [Call("split", "place", 201, 1.0, 5, order_id=1, key="a"), Call("split", "place", 201, 2.0, 5, 2, "a"),
             Call("split", "place", 201, 3.0, 5, order_id=3, key="b")]
    orders = FakeShop({"GROUP BY": [("a", 1), ("b", 1)], "orders_payment": [(1, "cancelled", Decimal(3), Decimal(3))],
                       "orders_order": [(1, "pending"), (2, "pending")]})
    found = invariants.acknowledged(orders, calls)
    assert "key a answered with orders [1, 2]" in found and "acknowledged order 3 does not exist" in found
    assert invariants.money(orders) == ["cancelled order 1 charged 3"]


def test_a_queue_left_with_messages_or_without_its_consumer_is_a_violation():
    assert invariants.queues({"q": (0, 0, 1)}, {"q"}) == []
    assert invariants.queues({"q": (3, 1, 1), "r": (0, 0, 0)}, {"r"}) == ["queue q: 3 ready, 1 unacknowledged",
                                                                         "queue r: no consumer"]


def test_an_enclave_relays_loopback_and_a_cut_drops_everything_both_ways_until_healed(tmp_path):
    """The nemesis's partition (tools/nemesis/enclave.py), on real namespaces: a cut is silent (connections
    time out; nothing is refused or unreachable), and a heal restores both directions."""
    outside = socket.create_server(("127.0.0.1", 0))  # a loopback service, such as PostgreSQL, that greets
    port = outside.getsockname()[1]
    threading.Thread(target=_greet, args=(outside,), daemon=True).start()
    enclave = Enclave(free_index())
    try:
        env = enclave.environment({"SOME_URL": f"redis://127.0.0.1:{port}/0", "OTHER": "127.0.0.1:1"}, port=8000)
        assert env == {"SOME_URL": f"redis://{enclave.outer}:{port}/0", "OTHER": "127.0.0.1:1",
                       "SHOP_WEB_BIND": f"{enclave.inner}:8000"}
        server = subprocess.Popen(enclave.command([sys.executable, "-m", "http.server", "-b", enclave.inner, "8000",
                                                   "-d", str(tmp_path)]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert poll(lambda: _listening(enclave.inner, 8000), bool, timeout=10)  # the host reaches the service
            assert _reaches_from_inside(enclave, port)  # the service reaches loopback through the relay
            enclave.cut()
            assert not _reaches(enclave.inner, 8000) and not _reaches_from_inside(enclave, port)
            enclave.heal()
            assert _reaches(enclave.inner, 8000) and _reaches_from_inside(enclave, port)
        finally:
            server.kill()
            server.wait()
    finally:
        enclave.close()
        outside.close()


def _greet(server: socket.socket) -> None:
    while True:
        try:
            connection, _ = server.accept()
        except OSError:
            return  # closed
        connection.sendall(b"+")
        connection.close()


def _listening(host: str, port: int) -> bool:
    try:
        return _reaches(host, port)
    except ConnectionRefusedError:  # not yet
        return False


def _reaches(host: str, port: int) -> bool:
    """Connects within 2 s; a timeout is the only failure a silent cut may give."""
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except TimeoutError:
        return False


def _reaches_from_inside(enclave: Enclave, port: int) -> bool:
    """The loopback service's greeting, read inside through the relay within 2 s."""
    code = (f"import socket, sys\ntry:\n    greeting = socket.create_connection(({enclave.outer!r}, {port}), "
            f"timeout=2).recv(1)\nexcept TimeoutError:\n    sys.exit(3)\nsys.exit(0 if greeting == b'+' else 4)\n")
    result = subprocess.run(enclave.command([sys.executable, "-c", code]), capture_output=True, timeout=30)
    assert result.returncode in (0, 3), result.stderr
    return result.returncode == 0
