from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.search.models import DedicatedIndex, OutboxEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the catalog and the search commands only, never by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyAdmin):
    """What the index has not learnt yet; entries that keep failing show their attempts."""

    list_display = ["id", "tenant", "kind", "object_id", "attempts", "age"]
    list_filter = ["kind", "tenant"]
    list_select_related = ["tenant"]
    ordering = ["id"]

    @admin.display(description=_("age"))
    def age(self, entry: OutboxEntry) -> str:
        seconds = (timezone.now() - entry.created_at).total_seconds()
        return f"{seconds:.0f} s"


@admin.register(DedicatedIndex)
class DedicatedIndexAdmin(ReadOnlyAdmin):
    """Companies on an index of their own (`manage.py search_move_tenant` changes this)."""

    list_display = ["tenant", "alias", "created_at"]
    list_select_related = ["tenant"]
