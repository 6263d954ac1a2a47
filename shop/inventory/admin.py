"""Stock and reservations in Django's admin (monolith), read-only: they change only through the inventory's services."""
from django.contrib import admin

from shop.inventory.models import Reservation, Stock
from shop.platform.api.admin import ReadOnlyAdmin


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = ("product_id", "on_hand", "reserved", "available", "updated_at")
    search_fields = ("product_id",)


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("order_id", "product_id", "quantity", "status", "updated_at")
    list_filter = ("status",)
