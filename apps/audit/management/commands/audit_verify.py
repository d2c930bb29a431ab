"""`manage.py audit_verify [--tenant SLUG ...] [--operators]`: check the audit chains.

Every chain by default. Names the first entry of each chain that does not verify and exits
with status 1 if any does; 0 when every chain holds.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from apps.audit.selectors import audit_chains_verify
from apps.tenants.selectors import tenant_by_slug, tenant_slugs


class Command(BaseCommand):
    help = "Verify the hash chains of the audit logs; name the first bad entry of each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", action="append", default=[], help="a company's slug")
        parser.add_argument(
            "--operators", action="store_true", help="the operators' chain (no company)"
        )

    @no_translations  # operators' tools speak English, whatever the shell's locale
    def handle(self, *args: Any, **options: Any) -> None:
        tenant_ids: list[int | None] | None = None
        if options["tenant"] or options["operators"]:
            found = {
                slug: tenant.pk
                for slug in options["tenant"]
                if (tenant := tenant_by_slug(slug=slug)) is not None
            }
            missing = sorted(set(options["tenant"]) - set(found))
            if missing:
                raise CommandError(f"No company with the slug {', '.join(missing)}.")
            tenant_ids = [*found.values()]
            if options["operators"]:
                tenant_ids.append(None)
        slugs = tenant_slugs()
        breaks = list(audit_chains_verify(tenant_ids=tenant_ids))
        for chain_break in breaks:
            chain = (
                "operators"
                if chain_break.tenant_id is None
                else slugs.get(chain_break.tenant_id, f"deleted company {chain_break.tenant_id}")
            )
            self.stderr.write(
                f"{chain}: entry #{chain_break.seq} (id {chain_break.entry_id}) is the first "
                f"bad entry: {chain_break.reason}"
            )
        if breaks:
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Every audit chain verifies."))
