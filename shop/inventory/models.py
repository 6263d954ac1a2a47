from django.db import models
from django.db.models import F, Q

from shop.platform.messaging.retried import DeadLetter


class Stock(models.Model):
    """Stock of one catalog product (a plain id, not a foreign key)."""

    product_id = models.BigIntegerField(unique=True)
    on_hand = models.BigIntegerField(default=0)
    reserved = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(reserved__gte=0) & Q(reserved__lte=F("on_hand")),
                                   name="inventory_reserved_within_on_hand"),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    class Status(models.TextChoices):
        RESERVED = "reserved"
        COMMITTED = "committed"
        RELEASED = "released"

    order_id = models.BigIntegerField(db_index=True)
    user_id = models.BigIntegerField(null=True)  # the customer holding it (holding limits); null before 0004
    product_id = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RESERVED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order_id", "product_id"], name="inventory_one_line_per_order")]
        indexes = [models.Index(fields=["user_id", "status"], name="inventory_held_by_user")]


class OrderHold(models.Model):
    """One row per order that ever reserved or was released: the lock that orders a reservation against a
    concurrent release of the same order, and, once `released`, the tombstone that refuses a late one."""

    order_id = models.BigIntegerField(unique=True)
    released = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)


class StockDeadLetter(DeadLetter):
    """A stock_commit / stock_release message that failed every retry (see /health/ and the logs)."""
