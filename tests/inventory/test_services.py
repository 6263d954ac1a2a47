"""Stock writes: add, remove, and the reserve -> commit | release saga steps."""
import pytest
from django.db import IntegrityError, transaction

from shop.inventory import services
from shop.inventory.client import (HoldLimitExceeded, InsufficientStock, ReservationLine, ReservationReleased,
                                    get_client)
from shop.inventory.models import Reservation, Stock
from shop.inventory.services import MAX_ON_HAND, StockBelowReserved, StockLimitExceeded
from tests.conftest import POSTGRES_URL
from tests.factories import stock_of

pytestmark = pytest.mark.django_db(databases="__all__")
CUSTOMER = 1  # the user id reservations are made for
P1, P2 = 1, 2


@pytest.fixture
def stocked():
    """P1 and P2 with 10 units each."""
    for product_id in (P1, P2):
        services.stock_add(product_id=product_id, quantity=10)


def reserve(order_id=1, lines=((P1, 3),)):
    return services.stock_reserve(user_id=CUSTOMER, order_id=order_id, lines=list(lines))


def test_stock_add_creates_then_accumulates():
    services.stock_add(product_id=P1, quantity=4)
    stock = services.stock_add(product_id=P1, quantity=6)

    assert (stock.on_hand, stock.reserved, stock.available) == (10, 0, 10)


def test_stock_add_past_the_limit_writes_nothing():
    with pytest.raises(StockLimitExceeded):
        services.stock_add(product_id=P1, quantity=MAX_ON_HAND + 1)
    assert not Stock.objects.exists()


def test_stock_remove_takes_from_on_hand(stocked):
    assert services.stock_remove(product_id=P1, quantity=4).on_hand == 6


@pytest.mark.parametrize("product_id, quantity", [(P1, 8), (P1, 100), (99, 1)])
def test_stock_remove_never_goes_below_reserved(stocked, product_id, quantity):
    reserve(lines=[(P1, 3)])

    with pytest.raises(StockBelowReserved) as raised:
        services.stock_remove(product_id=product_id, quantity=quantity)
    assert raised.value.status == 409
    assert stock_of(P1) == (10, 3)


def test_removing_exactly_the_unreserved_units_is_allowed(stocked):
    reserve(lines=[(P1, 3)])

    services.stock_remove(product_id=P1, quantity=7)

    assert stock_of(P1) == (3, 3)


def test_stock_reserve_holds_every_line(stocked):
    reservations = reserve(lines=[(P1, 3), (P2, 10)])

    assert [(r.product_id, r.quantity, r.status) for r in reservations] == [(P1, 3, "reserved"), (P2, 10, "reserved")]
    assert (stock_of(P1), stock_of(P2)) == ((10, 3), (10, 10))


@pytest.mark.parametrize("lines", [[(P1, 3), (P2, 11)], [(P1, 3), (99, 1)], [(P2, 6), (P2, 5)]])
def test_stock_reserve_is_all_or_none(stocked, lines):
    with pytest.raises(InsufficientStock):
        reserve(lines=lines)

    assert (stock_of(P1), stock_of(P2)) == ((10, 0), (10, 0))
    assert not Reservation.objects.exists()


def test_stock_reserve_is_idempotent_per_order(stocked):
    first = reserve(order_id=7, lines=[(P1, 3)])
    second = reserve(order_id=7, lines=[(P1, 5), (P2, 1)])

    assert second == first
    assert (stock_of(P1), stock_of(P2)) == ((10, 3), (10, 0))


def test_stock_reserve_merges_lines_of_one_product(stocked):
    reservations = reserve(lines=[(P1, 2), (P1, 3)])

    assert [(r.product_id, r.quantity) for r in reservations] == [(P1, 5)]
    assert stock_of(P1) == (10, 5)


def test_stock_commit_sells_the_reservation_once(stocked):
    reserve(lines=[(P1, 3), (P2, 2)])

    assert services.stock_commit(order_id=1) == 2
    assert services.stock_commit(order_id=1) == 0
    assert (stock_of(P1), stock_of(P2)) == ((7, 0), (8, 0))
    assert set(Reservation.objects.values_list("status", flat=True)) == {"committed"}


def test_stock_release_gives_the_reservation_back_once(stocked):
    reserve(lines=[(P1, 3)])

    assert services.stock_release(order_id=1) == 1
    assert services.stock_release(order_id=1) == 0
    assert stock_of(P1) == (10, 0)
    assert Reservation.objects.get().status == "released"


@pytest.mark.parametrize("first, then, status, expected", [
    (services.stock_commit, services.stock_release, "committed", (7, 0)),
    (services.stock_release, services.stock_commit, "released", (10, 0)),
])
def test_commit_and_release_are_mutually_exclusive(stocked, first, then, status, expected):
    reserve(lines=[(P1, 3)])
    first(order_id=1)

    assert then(order_id=1) == 0
    assert stock_of(P1) == expected
    assert Reservation.objects.get().status == status


def test_settling_touches_only_its_own_order(stocked):
    reserve(order_id=1, lines=[(P1, 3)])
    reserve(order_id=2, lines=[(P1, 4)])

    services.stock_commit(order_id=1)
    services.stock_release(order_id=3)  # never reserved

    assert stock_of(P1) == (7, 4)


def test_database_refuses_reserved_above_on_hand(stocked):
    with pytest.raises(IntegrityError), transaction.atomic(using="inventory"):
        Stock.objects.filter(product_id=P1).update(reserved=11)


def test_local_client_speaks_dtos(stocked):
    client = get_client()

    lines = client.stock_reserve(user_id=CUSTOMER, order_id=1, lines=[ReservationLine(product_id=P1, quantity=2)])
    client.stock_release(order_id=1)

    assert lines == [ReservationLine(product_id=P1, quantity=2)]
    assert client.stock_get(product_id=P1).available == 10
    assert client.stock_get(product_id=99).available == 0


def test_a_release_before_the_reservation_leaves_a_tombstone(stocked):
    assert services.stock_release(order_id=5) == 0

    with pytest.raises(ReservationReleased):
        reserve(order_id=5, lines=[(P1, 3)])
    assert stock_of(P1) == (10, 0)


def test_a_released_order_cannot_reserve_again(stocked):
    reserve(order_id=6, lines=[(P1, 3)])
    services.stock_release(order_id=6)

    with pytest.raises(ReservationReleased):
        reserve(order_id=6, lines=[(P1, 3)])
    assert stock_of(P1) == (10, 0)


@pytest.fixture
def limits(settings):
    """One customer may hold unpaid max(4 units, 25% of on-hand) of a product and 12 units in all."""
    settings.SHOP_HOLD_PRODUCT_UNITS, settings.SHOP_HOLD_PRODUCT_PERCENT, settings.SHOP_HOLD_TOTAL_UNITS = 4, 25, 12


def hold(user_id, order_id, *lines):
    return services.stock_reserve(order_id=order_id, lines=list(lines), user_id=user_id)


def test_a_customer_holds_at_most_the_per_product_limit_unpaid(limits):
    services.stock_add(product_id=P1, quantity=10)  # 25% of 10 is below the 4-unit floor
    hold(7, 1, (P1, 3))
    with pytest.raises(HoldLimitExceeded) as refused:
        hold(7, 2, (P1, 2))
    assert refused.value.status == 409 and "product 1" in refused.value.detail
    assert "hold 3" in refused.value.detail and "at most 4" in refused.value.detail
    hold(7, 3, (P1, 1))  # up to the limit
    hold(8, 4, (P1, 4))  # another customer has a limit of their own
    assert stock_of(P1) == (10, 8)


def test_the_per_product_limit_grows_with_the_stock(limits):
    services.stock_add(product_id=P1, quantity=40)  # 25% of 40 = 10 units
    hold(7, 1, (P1, 10))
    with pytest.raises(HoldLimitExceeded):
        hold(7, 2, (P1, 1))


def test_a_customer_holds_at_most_the_total_limit_across_products(limits):
    for product_id in (P1, P2, 3, 4):
        services.stock_add(product_id=product_id, quantity=100)  # 25 units each per product
    hold(7, 1, (P1, 10))
    with pytest.raises(HoldLimitExceeded) as refused:
        hold(7, 2, (P2, 2), (3, 1))
    assert "12" in refused.value.detail
    assert stock_of(P2) == (100, 0) and stock_of(3) == (100, 0)  # all or nothing
    hold(7, 3, (P2, 2))


def test_paid_or_released_units_no_longer_count(limits):
    services.stock_add(product_id=P1, quantity=10)
    hold(7, 1, (P1, 4))
    services.stock_commit(order_id=1)
    hold(7, 2, (P1, 4))
    services.stock_release(order_id=2)
    hold(7, 3, (P1, 4))


@pytest.mark.skipif(not POSTGRES_URL, reason="in-process SQLite (shared in-memory) cannot take concurrent writers; "
                    "tests/contract/test_order_limits.py races one customer's orders on both topologies")
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_concurrent_reservations_of_one_customer_never_pass_the_limit(limits, settings):
    """The limit is checked under a per-customer lock inside the reserving transaction."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    settings.SHOP_HOLD_TOTAL_UNITS = 1000  # the per-product limit is the one raced here
    services.stock_add(product_id=P1, quantity=100)  # 25 units for one customer

    def attempt(order_id):
        try:
            hold(7, order_id, (P1, 5))
            return True
        except HoldLimitExceeded:
            return False
        finally:
            connections.close_all()

    with ThreadPoolExecutor(8) as pool:
        placed = list(pool.map(attempt, range(1, 17)))
    assert sum(placed) == 5 and stock_of(P1) == (100, 25)
