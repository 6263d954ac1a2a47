"""Migrates every database alias that this SHOP_SERVICE role owns."""
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run migrate on each database alias owned by the current SHOP_SERVICE role."

    def handle(self, *args, **options):
        for alias in settings.SHOP_APPS:
            self.stdout.write(f"Migrating database '{alias}'")
            call_command("migrate", database=alias, interactive=False, verbosity=options["verbosity"])
