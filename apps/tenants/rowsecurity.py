"""Row-level security on the public tables every tenant shares.

A tenant's own data lives in its schema. Memberships, refresh tokens, API keys, invitations
and jobs live in the public schema, keyed by tenant, and the code filters them by tenant.
PostgreSQL enforces it too, so a query that forgets the filter finds nothing of another
tenant:

- In a real tenant (a request on its host, a Celery task sent from one, a job handler: any
  `tenant_context(tenant)`), the database backend (apps.tenants.db) switches the connection
  to the application's role, settings.DB_APP_ROLE, and names the tenant in `kura.tenant`.
  The policies let that role see and write the rows of that tenant only; with no tenant
  named, no rows at all.
- Everywhere else (the public site and the admin, migrations, cloning, beat's sweep, the
  jobs' claim, and `schema_context(schema_name)`, which enters a schema by its name only)
  the connection keeps the role it logged in with. That role owns the tables, so row-level
  security does not apply to it: it is the role of migrations and operator-wide work.

Migrations call `app_role_sql` once (tenants 0002) and `tenant_rows` for each table; a table
added later gets its policy from its own migration the same way.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, migrations
from django_tenants.utils import get_public_schema_name, schema_context

if TYPE_CHECKING:
    from apps.tenants.db.base import DatabaseWrapper

TENANT_SETTING = "kura.tenant"
PERSON_SETTING = "kura.person"
# Empty or unset (outside a tenant, or after a rollback) is NULL: no row matches.
CURRENT_TENANT = f"nullif(current_setting('{TENANT_SETTING}', true), '')::bigint"
CURRENT_PERSON = f"nullif(current_setting('{PERSON_SETTING}', true), '')::bigint"
TENANT_ID_IS_CURRENT = f"tenant_id = {CURRENT_TENANT}"

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def app_role() -> str:
    """The role row-level security applies to (a plain name: it is written into SQL)."""
    role = str(settings.DB_APP_ROLE)
    if not _ROLE_NAME.fullmatch(role):
        raise ImproperlyConfigured(f"DB_APP_ROLE {role!r}: use lowercase letters, digits and _.")
    return role


def _wrapper() -> "DatabaseWrapper":
    return cast("DatabaseWrapper", connection)


@contextmanager
def person_rows(user_id: int) -> Iterator[None]:
    """Within the block, a tenant's connection also reads this person's own rows of other
    tenants: their memberships, for the list of their companies. Reads only; writes stay
    within the tenant. Costs a round trip on entering, and one on the next query after."""
    db = _wrapper()
    previous = db.row_security_person_id
    db.set_row_security_person(user_id)
    try:
        yield
    finally:
        db.set_row_security_person(previous)


@contextmanager
def operator_context() -> Iterator[None]:
    """Operator-wide work asked for by a tenant's request, on public rows that belong to no
    tenant (a job about a global account): the block runs in the public schema, with the
    connection's own role. Outside a tenant it changes nothing."""
    if _wrapper().row_security_tenant_id is None:
        yield
        return
    with schema_context(get_public_schema_name()):
        yield


def app_role_sql() -> str:
    """Create the application role if it is missing (roles belong to the whole cluster),
    let the connecting role switch to it, and grant it data access, not DDL and not
    TRUNCATE (which row-level security does not cover), in the public schema, the template
    and every tenant schema, and in the schemas and tables the connecting role creates later
    (tenants are cloned from the template by it)."""
    role = app_role()
    privileges = (
        f"GRANT USAGE ON SCHEMA %1$I TO {role}; "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %1$I TO {role}; "
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %1$I TO {role}"
    )
    return f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {role} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created at the same moment by a migration of another database
END $$;
DO $$
BEGIN
    IF NOT pg_has_role(current_user, '{role}', 'MEMBER') THEN
        EXECUTE format('GRANT {role} TO %I', current_user);
    END IF;
END $$;
DO $$
DECLARE
    target text;
BEGIN
    FOR target IN
        SELECT nspname FROM pg_namespace
        WHERE nspname IN (SELECT schema_name FROM tenants_tenant)
           OR nspname IN ('public', '{settings.TENANT_BASE_SCHEMA}')
    LOOP
        EXECUTE format('{privileges}', target);
    END LOOP;
END $$;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {role};
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role};
"""  # noqa: S608 - the names come from settings (the role's is checked by app_role)


def app_role_reverse_sql() -> str:
    """The default privileges go; the role and its grants stay (other databases of the
    cluster may use the role, and the grants do nothing without the backend)."""
    role = app_role()
    return f"""
ALTER DEFAULT PRIVILEGES REVOKE USAGE ON SCHEMAS FROM {role};
ALTER DEFAULT PRIVILEGES REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {role};
ALTER DEFAULT PRIVILEGES REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {role};
"""


def tenant_rows(
    table: str, of_tenant: str, *, read_by_person: str | None = None
) -> migrations.RunSQL:
    """Row-level security on `table`: a tenant's connection sees and writes only the rows for
    which the SQL condition `of_tenant` holds (written with CURRENT_TENANT), and also reads
    those for which `read_by_person` holds (written with CURRENT_PERSON)."""
    forward = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_rows ON {table} USING ({of_tenant}) WITH CHECK ({of_tenant})",
    ]
    reverse = [
        f"DROP POLICY tenant_rows ON {table}",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]
    if read_by_person is not None:
        forward.append(f"CREATE POLICY person_rows ON {table} FOR SELECT USING ({read_by_person})")
        reverse.insert(0, f"DROP POLICY person_rows ON {table}")
    return migrations.RunSQL(";\n".join(forward), ";\n".join(reverse))
