"""Concurrent customers racing for scarce stock: the shop never sells more than it has."""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.contract.client import ApiClient


def race(clients: list[ApiClient], orders: list[dict[int, int]]) -> list:
    """Each client places its order at the same moment (one thread each, released by a barrier)."""
    barrier = threading.Barrier(len(clients))

    def place(client, lines):
        barrier.wait(timeout=30)
        return client.place(lines)

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(place, clients, orders))


def test_concurrent_orders_never_oversell(stack, crowd, make_product):
    stock = 5
    pid = make_product(stock=stock)["id"]
    responses = race(crowd, [{pid: 1}] * len(crowd))
    statuses = Counter(r.status_code for r in responses)
    print(f"\noversell [{stack.topology}]: stock={stock} tried={len(crowd)} won={statuses[201]} "
          f"refused={statuses[409]} other={ {s: n for s, n in statuses.items() if s not in (201, 409)} }")
    assert statuses == {201: stock, 409: len(crowd) - stock}, [r.text for r in responses if r.status_code != 409]
    assert crowd[0].stock(pid) == {"product_id": pid, "on_hand": stock, "reserved": stock, "available": 0}


def test_concurrent_multi_line_orders_never_oversell_any_product(stack, crowd, make_product):
    stocks = {make_product(stock=n)["id"]: n for n in (3, 4, 2)}
    a, b, c = stocks
    shapes = [{a: 1, b: 1}, {b: 2, c: 1}, {a: 1, c: 1}, {a: 1, b: 1, c: 1}, {b: 1}, {a: 2, b: 1}]
    clients = crowd[:24]
    orders = [shapes[i % len(shapes)] for i in range(len(clients))]
    responses = race(clients, orders)
    assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
    sold = Counter()
    for lines, response in zip(orders, responses):
        if response.status_code == 201:
            sold.update({item["product_id"]: item["quantity"] for item in response.json()["items"]})
            assert {item["product_id"]: item["quantity"] for item in response.json()["items"]} == lines
    print(f"\nmulti-line [{stack.topology}]: tried={len(clients)} "
          f"won={sum(r.status_code == 201 for r in responses)} sold={dict(sold)} stock={stocks}")
    assert sold, "no order won at all"
    for pid, stock in stocks.items():
        assert sold[pid] <= stock
        assert clients[0].stock(pid) == {"product_id": pid, "on_hand": stock, "reserved": sold[pid],
                                         "available": stock - sold[pid]}
