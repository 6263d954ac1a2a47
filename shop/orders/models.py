from django.db import models
from django.db.models import Q

from shop.orders.client import OrderStatus
from shop.platform.api.idempotency import IdempotencyRecord
from shop.platform.messaging.outbox import OutboxMessage


class Order(models.Model):
    Status = models.TextChoices("Status", [(status.name, status.value) for status in OrderStatus])

    user_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLACING, db_index=True)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    payment_key = models.CharField(max_length=64, null=True, blank=True)  # the processor key of the last attempt
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="orders_one_order_per_idempotency_key"),
        ]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    product_id = models.BigIntegerField()
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()

    @property
    def line_total(self):
        return self.unit_price * self.quantity


class Payment(models.Model):
    order = models.OneToOneField(Order, related_name="payment", on_delete=models.PROTECT)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    charge_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class OrderOutbox(OutboxMessage):
    pass


class OrderIdempotencyRecord(IdempotencyRecord):
    class Meta(IdempotencyRecord.Meta):
        pass
