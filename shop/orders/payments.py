"""Payment processors behind one interface; the default simulates Stripe's test cards."""
import hashlib
import sqlite3
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
        """Charges the card once per idempotency key and returns the charge id, or raises PaymentDeclined.
        Like Stripe, a key repeats its first outcome (a decline too): each attempt needs its own key.
        Bounded by SHOP_PAYMENT_TIMEOUT seconds."""

    def charge_made(self, *, idempotency_key: str) -> str | None:
        """The id of the charge made with this key, or None when none was made."""


class SimulatedProcessor:
    """Stripe's test numbers: 4000000000000002 and 4000000000009995 are declined, other valid cards succeed.

    Outcomes are kept per key in a SQLite ledger under SHOP_DATA_DIR, as a real processor keeps them on
    its side: a process killed between the charge and its commit finds the charge again."""

    DECLINED = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}

    def __init__(self):
        self.ledger = settings.DATA_DIR / "simulated-processor.sqlite3"
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS charges (key TEXT PRIMARY KEY, charge_id TEXT, declined TEXT)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.ledger, timeout=settings.SHOP_PAYMENT_TIMEOUT)

    def charge(self, *, amount: Decimal, card_number: str, idempotency_key: str) -> str:
        charge_id = "ch_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        declined = self.DECLINED.get(card_number)
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO charges VALUES (?, ?, ?)",
                       (idempotency_key, None if declined else charge_id, declined))
            charge_id, declined = db.execute("SELECT charge_id, declined FROM charges WHERE key = ?",
                                             (idempotency_key,)).fetchone()
        if declined:
            raise PaymentDeclined(f"The card was declined ({declined}).")
        return charge_id

    def charge_made(self, *, idempotency_key: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT charge_id FROM charges WHERE key = ?", (idempotency_key,)).fetchone()
        return row[0] if row else None


@cache
def get_processor() -> PaymentProcessor:
    return import_string(settings.SHOP_PAYMENT_PROCESSOR)()
