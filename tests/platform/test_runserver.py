"""`make run`'s runserver: no false "unapplied migrations" warning, a true one per alias, and where to go."""
import io

import pytest
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from shop.platform.management.commands.runserver import Command

pytestmark = pytest.mark.django_db(databases=["users", "catalog", "orders", "inventory"])


def check_migrations() -> str:
    out = io.StringIO()
    Command(stdout=out).check_migrations()
    return out.getvalue()


def test_migrated_aliases_give_no_warning():
    assert check_migrations() == ""


def test_an_unapplied_migration_is_named_with_its_alias_and_the_right_command():
    MigrationRecorder(connections["catalog"]).record_unapplied("catalog", "0001_initial")
    warning = check_migrations()
    assert "'catalog' has 1 unapplied" in warning and "migrate_all" in warning
    assert "'users'" not in warning
