from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.tenants.services import tenant_public_ensure, tenant_template_migrate


class Command(BaseCommand):
    help = (
        "Migrate everything, in order: the public schema, the template schema new tenants "
        "are cloned from, then every existing tenant. Safe to run again."
    )

    def handle(self, *args: object, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        tenant_public_ensure()
        tenant_template_migrate(verbosity=verbosity)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        self.stdout.write(self.style.SUCCESS("Public schema, template and tenants are migrated."))
