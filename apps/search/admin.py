from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ReadOnlyAdmin
from apps.search.models import DedicatedIndex, OutboxEntry


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
