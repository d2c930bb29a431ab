from django.db import migrations, models
from django.db.models import F


def existing_users_verified(apps, schema_editor):
    """Accounts made before verification existed: signed up or invited by email, and in
    use since; they are not asked again."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(email_verified_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_language_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email verified at"),
        ),
        migrations.RunPython(existing_users_verified, migrations.RunPython.noop),
    ]
