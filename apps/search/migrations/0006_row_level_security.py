"""Row-level security on the dedicated indices (a company's connection sees its own row) and
on the copies in progress (operators' rows: a company sees those about itself only)."""

from django.db import migrations

from apps.tenants.rowsecurity import TENANT_ID_IS_CURRENT, tenant_rows


class Migration(migrations.Migration):
    dependencies = [("search", "0005_dedicated_index_and_mirror")]

    operations = [
        tenant_rows("search_dedicatedindex", TENANT_ID_IS_CURRENT),
        tenant_rows("search_indexmirror", TENANT_ID_IS_CURRENT),
    ]
