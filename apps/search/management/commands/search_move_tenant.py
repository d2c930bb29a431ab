from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.search.rebuild import BusyError, tenant_move
from apps.tenants.selectors import tenant_by_slug


class Command(BaseCommand):
    help = (
        "Move a company's search documents to an index of its own (--dedicated), or back to "
        "the shared index (--shared). Searches and the outbox follow without a pause."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--dedicated", action="store_true")
        where.add_argument("--shared", action="store_true")
        parser.add_argument("--chunk", type=int, default=None, help="Products per bulk request.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_by_slug(slug=options["slug"])
        if tenant is None:
            raise CommandError(f"no company {options['slug']!r}")
        try:
            tenant_move(
                tenant=tenant,
                dedicated=options["dedicated"],
                chunk=options["chunk"],
                say=self.stdout.write,
            )
        except BusyError as exc:
            raise CommandError(str(exc)) from None
