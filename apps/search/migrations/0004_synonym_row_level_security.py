"""Row-level security on the companies' synonyms, as on the outbox: a company's connection
reads and writes its own groups only."""

from django.db import migrations

from apps.tenants.rowsecurity import TENANT_ID_IS_CURRENT, tenant_rows


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_tenant_synonym"),
        ("tenants", "0002_row_level_security"),
    ]

    operations = [tenant_rows("search_tenantsynonym", TENANT_ID_IS_CURRENT)]
