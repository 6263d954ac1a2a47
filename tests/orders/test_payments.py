"""The simulated payment processor (Stripe's test cards)."""
from decimal import Decimal

import pytest

from shop.orders.payments import SUCCESS_CARD, PaymentDeclined, SimulatedProcessor, get_processor


def charge(card=SUCCESS_CARD, key="order-1"):
    return SimulatedProcessor().charge(amount=Decimal("9.99"), card_number=card, idempotency_key=key)


def test_valid_card_is_charged():
    charge_id = charge()

    assert charge_id.startswith("ch_") and len(charge_id) == 27


def test_same_idempotency_key_gives_the_same_charge():
    assert charge(key="order-1") == charge(key="order-1") != charge(key="order-2")


@pytest.mark.parametrize("card, reason", [("4000000000000002", "card_declined"),
                                          ("4000000000009995", "insufficient_funds")])
def test_test_cards_are_declined(card, reason):
    with pytest.raises(PaymentDeclined) as raised:
        charge(card)

    assert raised.value.status == 402 and reason in raised.value.detail


def test_default_processor_is_the_simulation():
    assert isinstance(get_processor(), SimulatedProcessor)
