from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from apps.demo.catalog import demo_catalog_load
from apps.tenants.selectors import tenant_by_slug


class Command(BaseCommand):
    help = "Load the demo catalog (about 200 products) into a company (idempotent: by SKU)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The company's slug, e.g. acme.")

    def handle(self, *args: object, **options: object) -> None:
        tenant = tenant_by_slug(slug=str(options["slug"]))
        if tenant is None:
            raise CommandError(f"No company {options['slug']!r}.")
        with tenant_context(tenant):
            result = demo_catalog_load(tenant=tenant)
        self.stdout.write(
            f"  {tenant.name}: {result.created} products created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
