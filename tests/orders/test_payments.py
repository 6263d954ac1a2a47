"""The simulated payment processor (Stripe's test cards, one outcome per idempotency key)."""
import uuid
from decimal import Decimal

import pytest

from shop.orders.payments import SUCCESS_CARD, PaymentDeclined, SimulatedProcessor, get_processor

DECLINED_CARD = "4000000000000002"


def new_key() -> str:
    return f"test-{uuid.uuid4().hex}"


def charge(card=SUCCESS_CARD, key=None):
    return SimulatedProcessor().charge(amount=Decimal("9.99"), card_number=card, idempotency_key=key or new_key())


def test_valid_card_is_charged():
    charge_id = charge()

    assert charge_id.startswith("ch_") and len(charge_id) == 27


def test_same_idempotency_key_gives_the_same_charge():
    key = new_key()
    assert charge(key=key) == charge(key=key) != charge()


@pytest.mark.parametrize("card, reason", [(DECLINED_CARD, "card_declined"), ("4000000000009995", "insufficient_funds")])
def test_test_cards_are_declined(card, reason):
    with pytest.raises(PaymentDeclined) as raised:
        charge(card)

    assert raised.value.status == 402 and reason in raised.value.detail


def test_a_key_repeats_its_first_outcome_as_stripe_does():
    key = new_key()
    with pytest.raises(PaymentDeclined):
        charge(DECLINED_CARD, key=key)
    with pytest.raises(PaymentDeclined):
        charge(SUCCESS_CARD, key=key)  # a good card needs a new attempt, with a new key


def test_a_charge_is_found_by_its_key_from_another_instance():
    key = new_key()
    assert SimulatedProcessor().charge_made(idempotency_key=key) is None
    charge_id = charge(key=key)
    assert SimulatedProcessor().charge_made(idempotency_key=key) == charge_id


def test_default_processor_is_the_simulation():
    assert isinstance(get_processor(), SimulatedProcessor)
