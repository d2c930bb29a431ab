import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Membership, User
from apps.accounts.services import user_create
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create

DEMO_TENANTS = [("acme", "Acme Corporation"), ("globex", "Globex 株式会社")]


class Command(BaseCommand):
    help = "Create the demo tenants acme and globex with their owners (idempotent)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        password = os.environ.get("KURA_DEMO_PASSWORD", "kura-demo-pass")
        for slug, name in DEMO_TENANTS:
            email = f"owner@{slug}.example"
            owner = User.objects.filter(email=email).first() or user_create(
                email=email, password=password, full_name=f"{name} owner", validate=False
            )
            tenant = Tenant.objects.filter(slug=slug).first() or tenant_create(name=name, slug=slug)
            Membership.objects.get_or_create(
                user=owner, tenant=tenant, defaults={"role": Membership.Role.OWNER}
            )
            self.stdout.write(
                f"  {name}: http://{slug}.{settings.BASE_DOMAIN}:8000/  {email} / {password}"
            )
        operator = "operator@kura.example"
        if not User.objects.filter(email=operator).exists():
            User.objects.create_superuser(operator, password, full_name="Kura operator")
        self.stdout.write(
            f"  Operators: http://{settings.BASE_DOMAIN}:8000/admin/  {operator} / {password}"
        )
