from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Accounts. Its tables are Django's auth and contenttypes, kept in the users database."""

    name = "shop.users"
    label = "users"

    def ready(self):
        from shop.users import sessions

        sessions.connect()
