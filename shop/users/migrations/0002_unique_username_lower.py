"""A username is unique whatever its case (registration stores it NFKC-normalised, so compatibility forms
such as full-width letters meet here too): two accounts never look the same. LOWER folds every letter on
PostgreSQL, ASCII letters on SQLite."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("users", "0001_unique_email")]

    operations = [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX users_username_lower_unique ON auth_user (LOWER(username))",
            "DROP INDEX users_username_lower_unique",
        ),
    ]
