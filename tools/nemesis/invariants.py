"""The invariants after the recovery window, from the outside (the answers customers got) and from the databases.

Each check returns the violations it found, as sentences; none is the only passing answer."""
from collections import Counter, defaultdict

from tests.chaos.shop import ChaosShop
from tools.nemesis.load import Call

LIVE = ("pending", "paying")


def acknowledged(shop: ChaosShop, calls: list[Call]) -> list[str]:
    """Every acknowledged order exists exactly once; one key, one order; acknowledged pays and cancels hold."""
    orders = dict(shop.sql("orders", "SELECT id, status FROM orders_order"))
    keyed = shop.sql("orders", "SELECT idempotency_key, count(*) FROM orders_order GROUP BY idempotency_key")
    problems = [f"{n} orders under key {key}" for key, n in keyed if n > 1]
    ids_by_key = defaultdict(set)
    for call in calls:
        if call.op == "place" and call.ok:
            ids_by_key[call.key].add(call.order_id)
    for key, ids in ids_by_key.items():
        if len(ids) > 1:
            problems.append(f"key {key} answered with orders {sorted(ids)}")
        problems += [f"acknowledged order {i} does not exist" for i in ids if i not in orders]
    acked = Counter(i for ids in ids_by_key.values() for i in ids)
    problems += [f"order {i} acknowledged under {n} keys" for i, n in acked.items() if n > 1]
    attempted = {call.key for call in calls if call.op == "place"}
    if len(orders) > len(attempted):
        problems.append(f"{len(orders)} orders from {len(attempted)} placement keys")
    for op, final in (("pay", "paid"), ("cancel", "cancelled")):
        for call in calls:
            if call.op == op and call.ok and orders.get(call.order_id) != final:
                problems.append(f"{op} of order {call.order_id} acknowledged, but it is {orders.get(call.order_id)}")
    return sorted(set(problems))


def stuck(shop: ChaosShop) -> list[str]:
    return [f"order {oid} stuck {status} since {updated:%H:%M:%S}"
            for oid, status, _, updated in shop.in_flight_orders()]


def money(shop: ChaosShop) -> list[str]:
    """Charges equal paid orders: one payment of the order's total for each paid order, none for another."""
    rows = shop.sql("orders", "SELECT o.id, o.status, o.total, p.amount FROM orders_order o "
                              "LEFT JOIN orders_payment p ON p.order_id = o.id")
    problems = []
    for order_id, status, total, amount in rows:
        if status == "paid" and amount != total:
            problems.append(f"paid order {order_id} (total {total}) charged {amount}")
        if status != "paid" and amount is not None:
            problems.append(f"{status} order {order_id} charged {amount}")
    return problems


def stock(shop: ChaosShop) -> list[str]:
    """Every paid order's stock committed exactly once; no oversell; `reserved` equals pending units."""
    lines = shop.sql("orders", "SELECT o.id, o.status, l.product_id, l.quantity FROM orders_order o "
                               "JOIN orders_orderline l ON l.order_id = o.id")
    held = {(oid, pid): (qty, status) for oid, pid, qty, status in
            shop.sql("inventory", "SELECT order_id, product_id, quantity, status FROM inventory_reservation")}
    problems, sold, live = [], Counter(), Counter()
    for order_id, status, product_id, quantity in lines:
        reservation = held.get((order_id, product_id))
        if status == "paid":
            sold[product_id] += quantity
            if reservation != (quantity, "committed"):
                problems.append(f"paid order {order_id}: reservation of product {product_id} is {reservation}")
        elif status in LIVE:
            live[product_id] += quantity
            if reservation != (quantity, "reserved"):
                problems.append(f"{status} order {order_id}: reservation of product {product_id} is {reservation}")
        elif reservation is not None and reservation[1] != "released":
            problems.append(f"{status} order {order_id}: reservation of product {product_id} is {reservation}")
    levels = {pid: (on_hand, reserved) for pid, on_hand, reserved in
              shop.sql("inventory", "SELECT product_id, on_hand, reserved FROM inventory_stock")}
    for product_id in shop.product_ids:
        expected = (shop.stock - sold[product_id], live[product_id])
        if levels.get(product_id) != expected:
            problems.append(f"product {product_id}: (on_hand, reserved) {levels.get(product_id)}, expected {expected}")
        if levels.get(product_id, (0, 0))[0] < 0:
            problems.append(f"product {product_id} oversold")
    return problems


def queues(listing: dict[str, tuple[int, int, int]], consuming: set[str]) -> list[str]:
    """Every queue drained, and every queue that had consumers before the faults has one again."""
    problems = [f"queue {name}: {ready} ready, {unacked} unacknowledged" for name, (ready, unacked, _) in
                sorted(listing.items()) if ready or unacked]
    problems += [f"queue {name}: no consumer" for name in sorted(consuming) if listing.get(name, (0, 0, 0))[2] == 0]
    return problems


def check(shops: dict[str, ChaosShop], calls: list[Call], listing: dict, consuming: set[str]) -> dict[str, list[str]]:
    """{invariant: violations} for every stack, then the broker's queues."""
    results = {}
    for name, shop in shops.items():
        mine = [call for call in calls if call.stack == name]
        results[f"{name}: every acknowledged order exists exactly once"] = acknowledged(shop, mine)
        results[f"{name}: charges equal paid orders"] = money(shop)
        results[f"{name}: paid stock committed once, no oversell, reserved = pending units"] = stock(shop)
        results[f"{name}: nothing stuck placing or paying"] = stuck(shop)
    results["every queue drained, every consumer back"] = queues(listing, consuming)
    return results
