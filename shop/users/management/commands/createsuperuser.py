"""Django's createsuperuser, writing to the database the router gives the user model by default."""
from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands.createsuperuser import Command as DjangoCreateSuperuser
from django.db import router


class Command(DjangoCreateSuperuser):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=router.db_for_write(get_user_model()))
