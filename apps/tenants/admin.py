from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_tenants.admin import TenantAdminMixin

from apps.tenants.models import Domain, Plan, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "schema_name",
        "plan",
        "is_active",
        "created_at",
        "member_count",
    ]
    list_filter = ["is_active", "plan"]
    list_select_related = ["plan"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = ["schema_name", "created_at"]
    inlines = [DomainInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj: Tenant) -> int:
        return obj.member_total  # type: ignore[attr-defined]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Tenants are created with `manage.py tenant_create` or signup, which clone the schema.
        return False


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]
    list_select_related = ["tenant"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "requests_per_minute",
        "tenant_requests_per_minute",
        "max_file_bytes",
        "storage_quota_bytes",
    ]
