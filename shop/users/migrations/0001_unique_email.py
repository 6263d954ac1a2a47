"""Email is unique, whatever its case, among accounts that have one: two simultaneous sign-ups cannot
both win. (auth_user is Django's table; the index lives with the users app that owns the database.)"""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX users_email_lower_unique ON auth_user (LOWER(email)) WHERE email <> ''",
            "DROP INDEX users_email_lower_unique",
        ),
    ]
