from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tenants.admin import TenantAdminMixin
from django_tenants.utils import get_public_schema_name

from apps.audit.services import audit_operator_action
from apps.tenants.models import Domain, Plan, Tenant
from apps.tenants.services import tenant_restore


def _public(tenant: Tenant | None) -> bool:
    return tenant is not None and tenant.schema_name == get_public_schema_name()


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not _public(obj) and super().has_delete_permission(request, obj)


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "schema_name",
        "plan",
        "is_active",
        "deleted_at",
        "created_at",
        "member_count",
    ]
    list_filter = ["is_active", "plan"]
    list_select_related = ["plan"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = ["schema_name", "created_at", "deleted_at"]
    inlines = [DomainInline]
    actions = ["restore"]

    @admin.action(description=_("Restore deleted companies (their data is kept)"))
    def restore(self, request, queryset):  # type: ignore[no-untyped-def]
        restored = [tenant_restore(tenant=t) for t in queryset.filter(deleted_at__isnull=False)]
        audit_operator_action(actor=request.user, name="restore", objects=restored)
        self.message_user(
            request,
            ngettext(
                "%(count)d company restored; its people sign in again.",
                "%(count)d companies restored; their people sign in again.",
                len(restored),
            )
            % {"count": len(restored)},
        )

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj: Tenant) -> int:
        return obj.member_total  # type: ignore[attr-defined]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Tenants are created with `manage.py tenant_create` or signup, which clone the schema.
        return False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The slug names the host and the schema, which do not follow a change of it.
        return [*self.readonly_fields, "slug"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The public tenant is the public site itself (and the admin being used).
        return not _public(obj) and super().has_delete_permission(request, obj)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]
    list_select_related = ["tenant"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not (obj is not None and _public(obj.tenant)) and super().has_delete_permission(
            request, obj
        )


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "requests_per_minute",
        "tenant_requests_per_minute",
        "max_file_bytes",
        "storage_quota_bytes",
    ]
