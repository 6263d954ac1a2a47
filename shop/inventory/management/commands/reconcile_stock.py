"""Runs the stock reconciler once and prints what it changed (the inventory role, or the monolith)."""
from django.core.management.base import BaseCommand

from shop.inventory.reconcile import stock_reconcile


class Command(BaseCommand):
    help = "Repair reservations that disagree with their orders (paid -> commit; cancelled, expired, missing, stuck placing -> release)."

    def handle(self, *args, **options):
        report = stock_reconcile()
        self.stdout.write(f"checked {report['checked']} order(s) with live reservations: "
                          f"committed {report['committed']}, released {report['released']}")
