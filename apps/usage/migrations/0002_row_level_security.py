"""Row-level security on usage: a company's connection reads (and could write) its own days
only; the flush and the snapshots work as the operator. Request batches are operators'
rows: no company's connection sees any (apps.tenants.rowsecurity)."""

from django.db import migrations

from apps.tenants.rowsecurity import TENANT_ID_IS_CURRENT, tenant_rows


class Migration(migrations.Migration):
    dependencies = [
        ("usage", "0001_initial"),
        ("tenants", "0002_row_level_security"),
    ]

    operations = [
        tenant_rows("usage_usageday", TENANT_ID_IS_CURRENT),
        tenant_rows("usage_requestbatch", "false"),
    ]
