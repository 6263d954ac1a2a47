"""Database router: every app's tables and queries stay in that app's own alias."""
from django.conf import settings


class AppDatabaseRouter:
    def _alias(self, app_label: str) -> str | None:
        return settings.SHOP_DATABASE_APPS.get(app_label)

    def db_for_read(self, model, **hints):
        return self._alias(model._meta.app_label)

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return self._alias(obj1._meta.app_label) == self._alias(obj2._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return self._alias(app_label) == db
