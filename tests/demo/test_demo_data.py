"""`manage.py demo_data` (make run's demo companies), through the services of every app."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, User
from apps.catalog.models import Product
from apps.demo.catalog import demo_rows
from apps.demo.management.commands.demo_data import DEMO_POSTS
from apps.posts.models import Post
from apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_demo_data_makes_each_demo_company_once(monkeypatch):
    monkeypatch.setenv("KURA_DEMO_PASSWORD", "demo-pass-for-tests")
    first, second = StringIO(), StringIO()
    call_command("demo_data", stdout=first)
    call_command("demo_data", stdout=second)

    assert first.getvalue() == second.getvalue()
    assert "owner@acme.example / demo-pass-for-tests" in first.getvalue()
    for slug, name in [("acme", "Acme Corporation"), ("globex", "Globex 株式会社")]:
        tenant = Tenant.objects.get(slug=slug)
        assert tenant.name == name
        owners = Membership.objects.filter(tenant=tenant)
        assert [(m.user.email, m.role) for m in owners] == [(f"owner@{slug}.example", "owner")]
        assert owners[0].user.email_verified_at is not None
        with tenant_context(tenant):
            assert sorted(Post.objects.values_list("body", flat=True)) == sorted(DEMO_POSTS)
            assert Product.objects.count() == len(demo_rows())
    operator = User.objects.get(email="operator@kura.example")
    assert (operator.is_superuser, operator.is_staff) == (True, True)
    assert operator.check_password("demo-pass-for-tests")
    assert not Membership.objects.filter(user=operator).exists()
