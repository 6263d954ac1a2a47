"""The beat lease against a real Redis: of two beats on one shop (two topologies during a cutover), one schedules;
the other takes over when the holder stops cleanly or stops renewing, and a holder that lost it stays quiet."""
import time
import uuid

import pytest
import redis

from shop.celery import app as celery_app
from shop.platform.messaging.beat import LeasedScheduler
from shop.platform.messaging.lease import Lease
from tests.conftest import REDIS_URL

TTL = 0.6  # seconds


@pytest.fixture
def client():
    client = redis.Redis.from_url(REDIS_URL or "redis://127.0.0.1:6379/0", socket_timeout=2)
    yield client
    client.close()


@pytest.fixture
def name(client):
    name = f"test-{uuid.uuid4().hex}:shop:beat"  # a key of this test's own: the shared Redis is never flushed
    yield name
    client.delete(name)


def test_one_holder_at_a_time_and_a_clean_release_hands_over(client, name):
    first, second = Lease(client, name, ttl=TTL), Lease(client, name, ttl=TTL)
    assert first.hold() and not second.hold()
    assert first.hold() and not second.hold()  # renewed
    first.release()
    assert second.hold() and not first.hold()


def test_a_holder_that_stops_renewing_loses_the_lease_to_the_other(client, name):
    first, second = Lease(client, name, ttl=TTL), Lease(client, name, ttl=TTL)
    assert first.hold()
    time.sleep(TTL + 0.2)  # first is stalled: no renewal
    assert second.hold()
    assert not first.hold()  # it finds out it lost, and does not act


def test_redis_unreachable_means_standing_by(name):
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    assert not Lease(unreachable, name, ttl=TTL).hold()


class RecordingScheduler(LeasedScheduler):
    """celery beat's scheduler with one fast entry, recording what it would send instead of sending it."""

    producer = None  # no broker connection

    def __init__(self, label: str, sent: list, **kwargs):
        self.label, self.sent = label, sent
        super().__init__(app=celery_app, **kwargs)
        self.schedule.clear()
        self.update_from_dict({"tick": {"task": "test.tick", "schedule": 0.05}})

    def apply_entry(self, entry, producer=None):
        self.sent.append((self.label, time.monotonic()))


def run(schedulers, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for scheduler in schedulers:
            scheduler.tick()
        time.sleep(0.01)


def test_two_beats_on_one_shop_schedule_each_task_once(settings, tmp_path, name):
    settings.SHOP_REDIS_URL = REDIS_URL or "redis://127.0.0.1:6379/0"
    settings.SHOP_NAMESPACE = name.removesuffix("shop:beat")
    settings.SHOP_BEAT_LEASE_SECONDS = TTL
    sent: list = []
    old, new = (RecordingScheduler(label, sent, schedule_filename=str(tmp_path / label)) for label in ("old", "new"))
    run([old, new], 1.0)
    assert {label for label, _ in sent} == {"old"} and len(sent) >= 5  # the first to take it schedules alone

    sent.clear()
    run([new], TTL + 0.5)  # the old beat stalls (no tick, no renewal): the new one takes over once it expires
    assert {label for label, _ in sent} == {"new"}
    run([old, new], 0.5)  # the old one wakes up: it lost the lease and stays quiet
    assert {label for label, _ in sent} == {"new"}

    new.close()  # a clean stop hands over at once
    sent.clear()
    run([old], TTL / 2)
    assert {label for label, _ in sent} == {"old"}
    old.close()
