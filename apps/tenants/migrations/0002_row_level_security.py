"""Row-level security on the public tables every tenant shares (apps.tenants.rowsecurity)."""

from django.db import migrations

from apps.tenants.rowsecurity import (
    CURRENT_PERSON,
    CURRENT_TENANT,
    TENANT_ID_IS_CURRENT,
    app_role_reverse_sql,
    app_role_sql,
    tenant_rows,
)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0001_initial"),
        ("accounts", "0001_initial"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(app_role_sql(), app_role_reverse_sql()),
        # A person also reads their own memberships in other companies (their company list).
        tenant_rows(
            "accounts_membership",
            TENANT_ID_IS_CURRENT,
            read_by_person=f"user_id = {CURRENT_PERSON}",
        ),
        # Refresh tokens belong to a tenant through their membership.
        tenant_rows(
            "accounts_refreshtoken",
            "EXISTS (SELECT FROM accounts_membership m"
            f" WHERE m.id = accounts_refreshtoken.membership_id AND m.tenant_id = {CURRENT_TENANT})",
        ),
        tenant_rows("accounts_apikey", TENANT_ID_IS_CURRENT),
        tenant_rows("accounts_invitation", TENANT_ID_IS_CURRENT),
        # Jobs without a tenant (about global accounts) are the operators' only: a tenant's
        # request schedules one through apps.tenants.rowsecurity.operator_context.
        tenant_rows("jobs_job", TENANT_ID_IS_CURRENT),
    ]
