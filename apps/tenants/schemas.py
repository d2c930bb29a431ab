"""The template schema new tenants are cloned from.

`manage.py migrate_all` migrates it, installs django-tenants' `clone_schema()` SQL
function, and stamps the schema with the set of migrations it holds. Creating a tenant
is then one SQL call; only when the stamp differs from the code's migrations (a deploy
whose `migrate_all` has not run yet) does the new schema also go through `migrate`.
"""

import hashlib
from functools import cache

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema

from apps.core.connection import tenant_connection


@cache
def code_migrations_stamp() -> str:
    """A fingerprint of every migration in the code (fixed for the life of a process)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    keys = "\n".join(sorted(f"{app}.{name}" for app, name in loader.disk_migrations))
    return "kura-migrations:" + hashlib.sha256(keys.encode()).hexdigest()[:32]


def _template() -> str:
    return str(settings.TENANT_BASE_SCHEMA)


def _template_stamp() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            [_template()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def template_migrate(*, verbosity: int = 0) -> None:
    base = _template()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{base}"')
    call_command("migrate_schemas", schema_name=base, interactive=False, verbosity=verbosity)
    tenant_connection().set_schema_to_public()
    # Once here rather than (as CloneSchema.clone_schema does) on every clone.
    CloneSchema()._create_clone_schema_function()  # noqa: SLF001
    with connection.cursor() as cursor:
        # A hex stamp: safe to inline (COMMENT takes no bind parameters).
        cursor.execute(f"COMMENT ON SCHEMA \"{base}\" IS '{code_migrations_stamp()}'")


def schema_clone(schema_name: str) -> None:
    """Create `schema_name` as a copy of the template, tables, data and migration records."""
    if _template_stamp() == code_migrations_stamp():
        with connection.cursor() as cursor:
            cursor.execute("SELECT public.clone_schema(%s, %s, 'DATA')", [_template(), schema_name])
        return
    # The template is behind the code: clone what there is, then really run the rest (not
    # --fake, django-tenants' default after a clone, which would skip creating tables).
    CloneSchema().clone_schema(_template(), schema_name)
    call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
    tenant_connection().set_schema_to_public()
