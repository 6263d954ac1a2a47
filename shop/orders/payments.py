"""Payment processors behind one interface; the default simulates Stripe's test cards."""
import hashlib
from decimal import Decimal
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shop.platform.errors import ShopError

SUCCESS_CARD = "4242424242424242"


class PaymentDeclined(ShopError):
    status = 402
    code = "payment-declined"
    title = "The card was declined"


class PaymentProcessor(Protocol):
    def charge(self, *, amount: Decimal, card_number: str, idempotency_key: str) -> str:
        """Charges the card once per idempotency key and returns the charge id, or raises PaymentDeclined."""


class SimulatedProcessor:
    """Stripe's test numbers: 4000000000000002 and 4000000000009995 are declined, other valid cards succeed."""

    DECLINED = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}

    def charge(self, *, amount: Decimal, card_number: str, idempotency_key: str) -> str:
        if card_number in self.DECLINED:
            raise PaymentDeclined(f"The card was declined ({self.DECLINED[card_number]}).")
        return "ch_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


@cache
def get_processor() -> PaymentProcessor:
    return import_string(settings.SHOP_PAYMENT_PROCESSOR)()
