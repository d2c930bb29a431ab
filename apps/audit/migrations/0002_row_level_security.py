"""Row-level security on the audit log: a company's connection appends to and reads its own
chain only. And append-only for the application's role: it may insert and read entries,
never change or delete one (the role that owns the table — migrations, operators' tools —
still can, which is what `manage.py audit_verify` is there to catch)."""

from django.db import migrations

from apps.tenants.rowsecurity import TENANT_ID_IS_CURRENT, app_role, tenant_rows


def _revoke() -> migrations.RunSQL:
    role = app_role()
    return migrations.RunSQL(
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditentry FROM {role}",
        f"GRANT UPDATE, DELETE ON audit_auditentry TO {role}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("tenants", "0002_row_level_security"),
    ]

    operations = [tenant_rows("audit_auditentry", TENANT_ID_IS_CURRENT), _revoke()]
