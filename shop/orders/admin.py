"""Orders in Django's admin (monolith), read-only: they change only through the order saga."""
from django.contrib import admin

from shop.orders.models import Order, OrderIdempotencyRecord, OrderLine, OrderOutbox, Payment
from shop.platform.api.admin import ReadOnlyAdmin, ReadOnlyInline


class OrderLineInline(ReadOnlyInline):
    model = OrderLine


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "user_id", "status", "total", "created_at")
    list_filter = ("status",)
    inlines = [OrderLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("order", "amount", "charge_id", "created_at")


@admin.register(OrderOutbox)
class OrderOutboxAdmin(ReadOnlyAdmin):
    pass


@admin.register(OrderIdempotencyRecord)
class OrderIdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "key", "status_code", "created_at")
