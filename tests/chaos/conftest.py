"""One split stack for the chaos tests, on PostgreSQL and a RabbitMQ node of their own, with real
worker processes. The repair loops run every few seconds here so recoveries fit in a test run."""
import pytest

from tests.chaos.rabbit import RabbitNode
from tests.conftest import BROKER_URL, POSTGRES_URL, running

needs_services = pytest.mark.skipif(not (POSTGRES_URL and BROKER_URL),
                                    reason="chaos tests run on PostgreSQL and RabbitMQ: make test-services")
REPAIR_SECONDS = 4
CHAOS_ENV = {"SHOP_RECONCILE_AFTER": str(REPAIR_SECONDS), "SHOP_RECONCILE_INTERVAL": str(REPAIR_SECONDS),
             "SHOP_PAYMENT_RECOVER_AFTER": str(REPAIR_SECONDS), "SHOP_EXPIRY_INTERVAL": str(REPAIR_SECONDS),
             "SHOP_PLACING_TIMEOUT": "15"}  # above the gateway's 12 s: no request still running is expired


@pytest.fixture(scope="session")
def rabbit():
    node = RabbitNode().start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def chaos_stack(rabbit, tmp_path_factory):
    with running("split", tmp_path_factory, broker_url=rabbit.url, extra_env=CHAOS_ENV) as stack:
        yield stack
