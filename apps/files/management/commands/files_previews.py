from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import tenant_context

from apps.accounts.principal import SystemActor
from apps.files.selectors import files_to_preview
from apps.files.services import file_previews_remake
from apps.tenants.selectors import tenant_list


class Command(BaseCommand):
    help = (
        "Make the previews of every company's ready files that have none (documents "
        "uploaded before Kura previewed them) or that are stored under the keys used before "
        "previews were cached for a CDN; --every: all of them (after a change to how "
        "previews are drawn). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", action="store_true", help="Every previewed file.")

    def handle(self, *args: Any, **options: Any) -> None:
        for tenant in tenant_list():
            with tenant_context(tenant):
                actor = SystemActor(tenant, "files_previews")
                file_ids = files_to_preview(actor=actor, every=options["every"])
                changed = sum(file_previews_remake(file_id=file_id) for file_id in file_ids)
            self.stdout.write(f"{tenant.schema_name}: {changed} of {len(file_ids)} remade")
