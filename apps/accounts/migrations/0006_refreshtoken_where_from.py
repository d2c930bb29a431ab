"""Where each refresh token was asked for from (address, browser or app, when), for the
person's list of their sign-ins; and the person reads their own refresh tokens in every
company (that list spans their companies), as they read their memberships."""

from django.db import migrations, models

from apps.tenants.rowsecurity import CURRENT_PERSON

PERSON_READS = (
    "CREATE POLICY person_rows ON accounts_refreshtoken FOR SELECT USING ("
    "EXISTS (SELECT FROM accounts_membership m"
    f" WHERE m.id = accounts_refreshtoken.membership_id AND m.user_id = {CURRENT_PERSON}))"
)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_email_verified_at"),
        ("tenants", "0002_row_level_security"),
    ]

    operations = [
        migrations.AddField(
            model_name="refreshtoken",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address"),
        ),
        migrations.AddField(
            model_name="refreshtoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last used at"),
        ),
        migrations.AddField(
            model_name="refreshtoken",
            name="user_agent",
            field=models.CharField(
                blank=True, default="", max_length=300, verbose_name="user agent"
            ),
        ),
        migrations.RunSQL(PERSON_READS, "DROP POLICY person_rows ON accounts_refreshtoken"),
    ]
