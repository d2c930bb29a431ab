from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.search.rebuild import BusyError, reindex_all, tenant_reindex
from apps.tenants.selectors import tenant_by_slug


class Command(BaseCommand):
    help = (
        "Rebuild the products indices from PostgreSQL without downtime: a new index is built "
        "beside the live one while the outbox keeps flowing (to both), then the alias is "
        "swapped in one step and the old index deleted. With --tenant, rewrite one company's "
        "documents in place and remove those of products that are gone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", help="Only this company, in place.")
        parser.add_argument("--chunk", type=int, default=None, help="Products per bulk request.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["tenant"]:
                tenant = tenant_by_slug(slug=options["tenant"])
                if tenant is None:
                    raise CommandError(f"no company {options['tenant']!r}")
                written, removed = tenant_reindex(tenant=tenant, chunk=options["chunk"])
                self.stdout.write(f"{tenant.slug}: {written} products written, {removed} removed")
            else:
                reindex_all(chunk=options["chunk"], say=self.stdout.write)
        except BusyError as exc:
            raise CommandError(str(exc)) from None
