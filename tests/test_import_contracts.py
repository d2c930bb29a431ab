"""The layers of STYLE.md, checked by import-linter (pyproject.toml), and the contract of
config/import_contracts.py: another app's model classes are types and foreign keys only."""

import subprocess
import sys
from pathlib import Path

from config.import_contracts import uses_in

ROOT = Path(__file__).resolve().parent.parent
TENANTS = "apps.tenants.models"
CLASSES = frozenset({"Tenant", "Plan"})


def uses(source: str) -> list[tuple[int, str]]:
    return uses_in(source, models=TENANTS, classes=CLASSES)


def test_the_apps_keep_their_layers_and_read_no_other_app_s_models():
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_model_classes_as_types_foreign_keys_and_admin_declarations_are_not_uses():
    source = """
from typing import cast
from django.contrib import admin
from django.db import models
from apps.tenants.models import DEFAULT_PLAN, Plan, Tenant

class Row(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    plan = models.ForeignKey(to=Plan, on_delete=models.CASCADE)

class Company(Tenant):
    class Meta:
        proxy = True

@admin.register(Company, Tenant)
class CompanyAdmin(admin.ModelAdmin):
    pass

class PlanInline(admin.TabularInline):
    model = Plan

def name(tenant: Tenant, plan: "Plan | None" = None) -> list[Tenant]:
    found: Tenant | None = None
    if isinstance(tenant, Tenant) and issubclass(type(tenant), Tenant):
        found = cast(Tenant, tenant)
    return [found or tenant] if DEFAULT_PLAN else []
"""
    assert uses(source) == []


def test_reads_writes_and_values_of_another_app_s_models_are_uses():
    source = """
from apps.tenants.models import Plan, Tenant as Company
from apps.tenants import models

def read(pk: int) -> Company | None:
    found = Company.objects.filter(pk=pk).first()
    Plan(name="free").save()
    if isinstance(Company.objects.first(), Company):
        return get_object_or_404(Company, pk=pk)
    return models.Tenant.DoesNotExist
"""
    assert uses(source) == [
        (6, "found = Company.objects.filter(pk=pk).first()"),
        (7, 'Plan(name="free").save()'),
        (8, "if isinstance(Company.objects.first(), Company):"),
        (9, "return get_object_or_404(Company, pk=pk)"),
        (10, "return models.Tenant.DoesNotExist"),
    ]


def test_an_import_under_type_checking_is_not_a_use():
    source = """
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from apps.tenants.models import Tenant
def of(tenant: "Tenant") -> None: ...
"""
    assert uses(source) == []
