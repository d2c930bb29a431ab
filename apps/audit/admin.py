from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.audit.actions import action_label
from apps.audit.models import AuditEntry
from apps.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Every company's audit log (and the operators' own, without a company), read-only:
    entries are only ever appended by the services. `manage.py audit_verify` checks them."""

    list_display = ["seq", "at", "company", "actor_label", "action_name", "target", "ip"]
    list_filter = ["action", "tenant"]
    search_fields = ["actor_label", "target", "action"]
    ordering = ["tenant_id", "-seq"]
    show_full_result_count = False

    @admin.display(description=_("company"), ordering="tenant_id")
    def company(self, entry: AuditEntry) -> str:
        if entry.tenant_id is None:
            return str(_("(operators)"))
        return str(entry.tenant) if entry.tenant else f"#{entry.tenant_id}"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("tenant")
