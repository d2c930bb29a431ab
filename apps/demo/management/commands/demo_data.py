import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership
from apps.accounts.principal import Principal
from apps.accounts.selectors import membership_of, user_by_email, user_exists
from apps.accounts.services import company_create, email_verified_mark, operator_create, user_create
from apps.demo.catalog import demo_catalog_load
from apps.posts.selectors import post_list
from apps.posts.services import post_create
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_by_slug

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
            owner = user_by_email(email=email) or user_create(
                email=email, password=password, full_name=f"{name} owner", validate=False
            )
            email_verified_mark(user=owner)  # a demo address nobody can open
            tenant = tenant_by_slug(slug=slug) or company_create(name=name, slug=slug, owner=owner)
            membership = membership_of(user=owner, tenant=tenant)
            if membership is None:
                raise CommandError(f"{slug} exists without its demo owner {email}.")
            self._posts(tenant, membership)
            with tenant_context(tenant):
                demo_catalog_load(tenant=tenant)  # by SKU: a second run changes nothing
            self.stdout.write(
                f"  {name}: http://{slug}.{settings.BASE_DOMAIN}:8000/  {email} / {password}"
            )
        operator = "operator@kura.example"
        if not user_exists(email=operator):
            operator_create(email=operator, password=password, full_name="Kura operator")
        self.stdout.write(
            f"  Operators: http://{settings.BASE_DOMAIN}:8000/admin/  {operator} / {password}"
        )

    def _posts(self, tenant: Tenant, membership: Membership) -> None:
        """A few posts in an empty feed, so the demo's feed is not blank."""
        actor = Principal.of_membership(membership)
        with tenant_context(tenant):
            if post_list(actor=actor).exists():
                return
            for body in DEMO_POSTS:
                post_create(tenant=tenant, actor=actor, body=body)
