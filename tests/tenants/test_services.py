import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_exists

from apps.accounts.models import Membership
from apps.accounts.services import company_create
from apps.tenants.models import Domain, Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema]
        )
        return {row[0] for row in cursor.fetchall()}


def tenant_tables() -> set[str]:
    """Every table the tenant apps define, as Django sees them."""
    tenant_apps = set(settings.TENANT_APPS)
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name in tenant_apps
        and model._meta.managed
        and not model._meta.proxy  # no table of its own (apps.files.TenantStorage)
    } | {"django_migrations"}


def test_tenant_create_clones_the_template_with_every_tenant_table():
    owner = UserFactory()
    tenant = company_create(name="Clone Co", slug="clone-co", owner=owner)

    assert tenant.schema_name == "t_clone_co"
    assert schema_exists("t_clone_co")
    assert tables_in("t_clone_co") == tenant_tables()
    assert tables_in("t_clone_co") == tables_in(settings.TENANT_BASE_SCHEMA)
    assert Domain.objects.get(tenant=tenant).domain == "clone-co.localhost"
    assert Membership.objects.get(tenant=tenant).role == Membership.Role.OWNER
    assert Membership.objects.get(tenant=tenant).user == owner


def test_cloned_schema_records_every_migration_as_applied():
    tenant = tenant_create(name="Migrated", slug="migrated")
    with connection.cursor() as cursor:
        query = 'SELECT app, name FROM "{}".django_migrations ORDER BY app, name'
        cursor.execute(query.format(settings.TENANT_BASE_SCHEMA))
        template_rows = cursor.fetchall()
        cursor.execute(query.format(tenant.schema_name))
        assert cursor.fetchall() == template_rows
    assert template_rows


@pytest.mark.parametrize(
    ("slug", "field"),
    [("admin", "slug"), ("Bad_Slug", "slug"), ("-dash", "slug"), ("x" * 40, "slug")],
)
def test_tenant_create_refuses_bad_slugs_and_writes_nothing(slug, field):
    with pytest.raises(ValidationError) as excinfo:
        tenant_create(name="Nope", slug=slug)
    assert field in excinfo.value.message_dict
    assert not Tenant.objects.filter(name="Nope").exists()


def test_tenant_create_refuses_a_taken_slug(tenant):
    with pytest.raises(ValidationError) as excinfo:
        tenant_create(name="Again", slug=tenant.slug)
    assert "slug" in excinfo.value.message_dict
    assert Tenant.objects.filter(slug=tenant.slug).count() == 1


def test_template_is_not_a_tenant():
    assert not Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).exists()
