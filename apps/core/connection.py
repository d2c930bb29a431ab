"""The database connection as django-tenants extends it: the schema it is in, and going
back to the public one. django-tenants ships no type hints, so code reads these here,
typed once, instead of ignoring their types where it uses them."""

from typing import Protocol, cast

from django.db import connection
from django_tenants.utils import get_public_schema_name


class TenantConnection(Protocol):
    """What django-tenants' database wrapper adds to Django's."""

    schema_name: str

    def set_schema_to_public(self) -> None: ...


def tenant_connection() -> TenantConnection:
    """The default connection, with django-tenants' attributes typed."""
    return cast("TenantConnection", connection)


def current_schema() -> str:
    """The schema the connection is in: a company's, or the public one."""
    return tenant_connection().schema_name


def on_public_schema() -> bool:
    return current_schema() == get_public_schema_name()
