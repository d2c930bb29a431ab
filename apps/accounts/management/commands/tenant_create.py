from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import User
from apps.accounts.services import company_create


class Command(BaseCommand):
    help = "Create a tenant (its schema is cloned from the template) and, optionally, its owner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="sub-domain, e.g. acme for acme.<BASE_DOMAIN>")
        parser.add_argument("--name", help="company name (default: the slug)")
        parser.add_argument("--owner", help="email of an existing account to make owner")

    def handle(self, *args: object, **options: str) -> None:
        owner = None
        if options["owner"]:
            owner = User.objects.filter(email__iexact=options["owner"]).first()
            if owner is None:
                raise CommandError(f"No account with email {options['owner']}.")
        try:
            tenant = company_create(
                name=options["name"] or options["slug"], slug=options["slug"], owner=owner
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {tenant.name}: schema {tenant.schema_name}, "
                f"http://{tenant.slug}.{settings.BASE_DOMAIN}:8000/"
            )
        )
