"""Loads demo products with stock (idempotent: products are matched by SKU)."""
from decimal import Decimal

from django.core.management.base import BaseCommand

from shop.catalog.models import Product
from shop.inventory.client import get_client as inventory_client

DEMO_PRODUCTS = [
    ("DEMO-MUG", "Enamel mug", "12.50", 50),
    ("DEMO-TEE", "Cotton T-shirt", "19.90", 40),
    ("DEMO-CAP", "Baseball cap", "15.00", 30),
    ("DEMO-BAG", "Canvas tote bag", "9.99", 25),
    ("DEMO-PEN", "Fountain pen", "34.00", 10),
]


class Command(BaseCommand):
    help = "Create demo products with stock and print how to use them."

    def handle(self, *args, **options):
        inventory = inventory_client()
        for sku, name, price, quantity in DEMO_PRODUCTS:
            product, created = Product.objects.get_or_create(sku=sku, defaults={"name": name, "price": Decimal(price)})
            if created:
                inventory.stock_add(product_id=product.id, quantity=quantity)
            stock = inventory.stock_get(product_id=product.id)
            self.stdout.write(f"product {product.id:>3} {sku:<9} {name:<16} {product.price:>7}  available {stock.available}")
        self.stdout.write(
            "\nStaff login in dev: POST /login {\"username\": \"admin\", \"password\": \"admin-dev-only\"} "
            "(made by `make run` with createsuperuser --noinput; set DJANGO_SUPERUSER_* to change it).\n"
        )
