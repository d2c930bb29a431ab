"""django-tenants' PostgreSQL backend, which also sets who row-level security applies to.

django-tenants sends `SET search_path` before the first query after the connection changes
tenant. In the same round trip this backend sets the rest of what row-level security needs
(apps.tenants.rowsecurity): in a real tenant, the application's role and `kura.tenant`;
anywhere else, the role the connection logged in with (it owns the tables and bypasses
row-level security) and empty settings. So entering a tenant costs no extra round trip, and
the role and settings are always what the search_path is, never left over.

The search_path cache (`search_path_set_schemas`) is dropped on ROLLBACK and ROLLBACK TO
SAVEPOINT by django-tenants, since PostgreSQL reverts a SET made inside the transaction; as
the role and settings travel in the same statement, they are sent again along with it.
"""

from typing import Any

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.backends.utils import CursorWrapper
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.utils import get_limit_set_calls, get_public_schema_name, quote_schema_name

from apps.tenants.rowsecurity import PERSON_SETTING, TENANT_SETTING, app_role


def _tenant_id_for_row_security(tenant: Any) -> int | None:
    """The pk of a real tenant; None for the public tenant and for schemas entered by name
    (`schema_context`, migrations, the template: a FakeTenant has no pk)."""
    pk = getattr(tenant, "pk", None)
    if pk is None or tenant.schema_name == get_public_schema_name():
        return None
    return int(pk)


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    # Set by django-tenants' __init__.
    search_path_set_schemas: list[str] | None
    _setting_search_path: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Read by set_tenant(), which the parent's __init__ calls.
        self.row_security_tenant_id: int | None = None
        self.row_security_person_id: int | None = None
        super().__init__(*args, **kwargs)

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        super().set_tenant(tenant, include_public)
        self.row_security_tenant_id = _tenant_id_for_row_security(tenant)

    def set_row_security_person(self, user_id: int | None) -> None:
        """Make this person's own rows visible too (apps.tenants.rowsecurity.person_rows)."""
        if user_id == self.row_security_person_id:
            return
        self.row_security_person_id = user_id
        if self.row_security_tenant_id is not None:
            # Sent with the next query; outside a tenant the person does not matter.
            self.search_path_set_schemas = None

    def _row_security_sql(self) -> list[str]:
        if self.row_security_tenant_id is None:
            assume_role = self.settings_dict["OPTIONS"].get("assume_role")
            role = f"SET ROLE {self.ops.quote_name(assume_role)}" if assume_role else "RESET ROLE"
            return [role, f"SET {TENANT_SETTING} = ''", f"SET {PERSON_SETTING} = ''"]
        person = self.row_security_person_id
        return [
            f"SET ROLE {self.ops.quote_name(app_role())}",
            f"SET {TENANT_SETTING} = '{int(self.row_security_tenant_id)}'",
            f"SET {PERSON_SETTING} = '{'' if person is None else int(person)}'",
        ]

    def _handle_search_path(self, cursor: CursorWrapper | None = None) -> None:
        """django-tenants' method, sending the role and settings with the search_path.

        Unlike django-tenants, a failure is raised rather than ignored (the next query would
        run with the previous role, seeing every tenant's rows), except in a transaction
        that has already failed: there nothing is sent, and the rollback to come resets it.
        """
        if self._setting_search_path:
            return
        if get_limit_set_calls() and self.search_path_set_schemas:
            return
        if not self.schema_name:
            raise ImproperlyConfigured(
                "Database schema not set. Did you forget to call set_schema() or set_tenant()?"
            )
        if self.connection.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            self.search_path_set_schemas = None
            return

        search_paths = self._get_cursor_search_paths()
        path = ",".join(quote_schema_name(s) for s in search_paths)
        sql = "; ".join([f"SET search_path = {path}", *self._row_security_sql()])
        self._setting_search_path = True
        target = self.connection.cursor() if cursor is None else cursor
        try:
            target.execute(sql)
        except (DatabaseError, psycopg.Error):
            self.search_path_set_schemas = None
            raise
        else:
            self.search_path_set_schemas = search_paths
        finally:
            self._setting_search_path = False
            if cursor is None:
                target.close()
