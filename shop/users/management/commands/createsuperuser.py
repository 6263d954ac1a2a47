"""Django's createsuperuser, writing to the users database by default."""
from django.contrib.auth.management.commands.createsuperuser import Command as DjangoCreateSuperuser


class Command(DjangoCreateSuperuser):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database="users")
