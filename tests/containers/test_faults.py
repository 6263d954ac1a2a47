"""A stopped inventory container in the split profile: orders get JSON 503s at once, the catalog still
serves, and orders recover once the container is started again. Timings are printed, never asserted."""
import subprocess
import time

import pytest

from tests.contract.client import poll
from tests.problems import assert_problem
from tests.split.test_faults import timed

FAIL_MAX = 5  # SHOP_BREAKER_FAIL_MAX's default: the circuit opens after this many failures
RECOVERY_TIMEOUT = 120  # seconds: container start, gunicorn boot, the breaker's half-open trial


def podman(*args: str) -> None:
    subprocess.run(["podman", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.parametrize("deployment", ["split"], indirect=True)
def test_stopped_inventory_container_gives_503s_and_orders_recover_after_start(deployment, customer, make_product):
    product_id = make_product(stock=100)["id"]
    assert customer.place_ok({product_id: 1})["status"] == "pending"
    inventory = deployment.container("inventory")
    podman("stop", "-t", "5", inventory)
    try:
        results = [timed(lambda: customer.place({product_id: 1})) for _ in range(FAIL_MAX + 3)]
        for response, _ in results:
            assert_problem(response, 503)
        assert customer.get(f"/products/{product_id}").status_code == 200  # the catalog still serves
        assert customer.get("/products").status_code == 200
        print(f"\n[containers] inventory stopped: first 503 after {results[0][1]:.0f} ms; circuit open: "
              f"{', '.join(f'{ms:.0f}' for _, ms in results[FAIL_MAX:])} ms")
    finally:
        started = time.perf_counter()
        podman("start", inventory)
    recovered = poll(lambda: customer.place({product_id: 1}).status_code, lambda status: status == 201,
                     timeout=RECOVERY_TIMEOUT, step=0.2)
    print(f"[containers] orders succeed again {time.perf_counter() - started:.1f} s after `podman start`")
    assert recovered == 201
