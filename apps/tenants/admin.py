from django.contrib import admin

from apps.tenants.models import Domain, Plan
from apps.tenants.policies import is_public_tenant

# Tenant's own admin (restoring deleted companies, member counts) is apps.accounts'.


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]
    list_select_related = ["tenant"]

    def has_delete_permission(self, request, obj=None):
        public = obj is not None and is_public_tenant(obj.tenant)
        return not public and super().has_delete_permission(request, obj)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "requests_per_minute",
        "tenant_requests_per_minute",
        "max_file_bytes",
        "storage_quota_bytes",
    ]
