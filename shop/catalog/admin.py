"""The catalog in Django's admin (monolith): staff edit products here as in the API."""
from django.contrib import admin

from shop.catalog.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("id", "sku", "name", "price", "updated_at")
    search_fields = ("name", "sku", "description")
    ordering = ("id",)
