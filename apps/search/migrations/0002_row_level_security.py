"""Row-level security on the outbox: a company's connection writes and reads its own entries
only; the drain works as the operator (apps.tenants.rowsecurity)."""

from django.db import migrations

from apps.tenants.rowsecurity import TENANT_ID_IS_CURRENT, tenant_rows


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("tenants", "0002_row_level_security"),
    ]

    operations = [tenant_rows("search_outboxentry", TENANT_ID_IS_CURRENT)]
