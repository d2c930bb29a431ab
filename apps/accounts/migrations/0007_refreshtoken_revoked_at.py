"""The sign-ins revoked lately, found by an index of their own: Redis' deny entries are
rebuilt from them (apps/accounts/revocations.py). Partial: most tokens are never revoked."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_refreshtoken_where_from"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="refreshtoken",
            index=models.Index(
                condition=models.Q(("revoked_at__isnull", False)),
                fields=["revoked_at"],
                name="refreshtoken_revoked_at",
            ),
        ),
    ]
