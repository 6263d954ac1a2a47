"""Transactions on the database that holds a model's table, as the router (shop/routers.py) decides."""
from django.db import router, transaction


def atomic(model):
    """`transaction.atomic` on `model`'s alias: services name a model, never an alias string."""
    return transaction.atomic(using=router.db_for_write(model))
