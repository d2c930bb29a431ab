import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, User
from apps.accounts.principal import Principal
from apps.accounts.services import email_verified_mark, user_create
from apps.catalog.demo import demo_catalog_load
from apps.posts.selectors import post_list
from apps.posts.services import post_create
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create

DEMO_TENANTS = [("acme", "Acme Corporation"), ("globex", "Globex 株式会社")]
DEMO_POSTS = [
    "Kura へようこそ。ファイル、リマインダー、フィードをお試しください。",
    "Welcome to the company feed: post now, or schedule a post for later.",
    "来週の全体会議は月曜 10:00 からです。資料は https://example.com/agenda にあります。",
]


class Command(BaseCommand):
    help = (
        "Create the demo tenants acme and globex with their owners, a few posts and the demo "
        "catalog (idempotent)."
    )

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        password = os.environ.get("KURA_DEMO_PASSWORD", "kura-demo-pass")
        for slug, name in DEMO_TENANTS:
            email = f"owner@{slug}.example"
            owner = User.objects.filter(email=email).first() or user_create(
                email=email, password=password, full_name=f"{name} owner", validate=False
            )
            email_verified_mark(user=owner)  # a demo address nobody can open
            tenant = Tenant.objects.filter(slug=slug).first() or tenant_create(name=name, slug=slug)
            membership, _created = Membership.objects.get_or_create(
                user=owner, tenant=tenant, defaults={"role": Membership.Role.OWNER}
            )
            self._posts(tenant, membership)
            with tenant_context(tenant):
                demo_catalog_load(tenant=tenant)  # by SKU: a second run changes nothing
            self.stdout.write(
                f"  {name}: http://{slug}.{settings.BASE_DOMAIN}:8000/  {email} / {password}"
            )
        operator = "operator@kura.example"
        if not User.objects.filter(email=operator).exists():
            User.objects.create_superuser(operator, password, full_name="Kura operator")
        self.stdout.write(
            f"  Operators: http://{settings.BASE_DOMAIN}:8000/admin/  {operator} / {password}"
        )

    def _posts(self, tenant: Tenant, membership: Membership) -> None:
        """A few posts in an empty feed, so the demo's feed is not blank."""
        actor = Principal.of_membership(membership)
        with tenant_context(tenant):
            if post_list(principal=actor).exists():
                return
            for body in DEMO_POSTS:
                post_create(tenant=tenant, actor=actor, body=body)
