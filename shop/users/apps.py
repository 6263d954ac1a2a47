from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class UsersConfig(AppConfig):
    """Accounts. Its tables are Django's auth and contenttypes, kept in the users database."""

    name = "shop.users"
    label = "users"

    def ready(self):
        from shop.users import sessions

        sessions.connect()


class BackOfficeConfig(admin_apps.AdminConfig):
    """Django's admin (the monolith's back office) with its login throttled as every door that checks a
    password is (shop.users.login_page.ThrottledAdminSite)."""

    default = False  # named in INSTALLED_APPS; "shop.users" stays UsersConfig
    default_site = "shop.users.login_page.ThrottledAdminSite"
