"""runserver that checks migrations on every database alias this role owns, and says where to go."""
import os

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from shop.platform.config.pages import LOGIN_PAGE, PAGES


class Command(StaticfilesRunserver):
    def check_migrations(self):
        """Django's check looks only at the "default" alias, which this project never uses."""
        for alias in settings.SHOP_APPS:
            executor = MigrationExecutor(connections[alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                self.stdout.write(self.style.NOTICE(
                    f"\nDatabase '{alias}' has {len(plan)} unapplied migration(s): run `python manage.py migrate_all`."))

    def on_bind(self, server_port):
        super().on_bind(server_port)
        base = f"{self.protocol}://{self.addr}:{server_port}"
        lines = [f"API root:    {base}/", f"API docs:    {base}{PAGES['docs'].url}",
                 f"log in:      {base}{LOGIN_PAGE.url}"]
        username, password = os.environ.get("DJANGO_SUPERUSER_USERNAME"), os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if username and password:
            admin = f" (also for {base}{reverse('admin:index')})" if apps.is_installed("django.contrib.admin") else ""
            lines.append(f"dev login:   {username} / {password}{admin}")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
