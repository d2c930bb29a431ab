from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.audit.services import audit_operator_action
from apps.jobs.models import Job
from apps.jobs.services import job_cancel, job_retry


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """The delayed queue as operators see it: what is due, what failed, what died."""

    list_display = [
        "id",
        "kind",
        "tenant",
        "state",
        "run_at",
        "attempts",
        "max_attempts",
        "finished_at",
    ]
    list_filter = ["state", "kind", "tenant"]
    search_fields = ["kind", "idempotency_key", "last_error"]
    list_select_related = ["tenant"]
    date_hierarchy = "run_at"
    actions = ["retry", "cancel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs come from the features that need them

    def get_readonly_fields(self, request: HttpRequest, obj: Job | None = None) -> list[str]:
        # Nothing is edited by hand: state changes go through the actions, which keep the
        # rules. Change permission is what the actions require.
        return [field.name for field in Job._meta.concrete_fields]  # noqa: SLF001

    @admin.action(description=_("Retry now (dead or failed jobs)"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        done = sum(job_retry(job=job) for job in queryset)
        audit_operator_action(request=request, name="retry", objects=queryset)
        self.message_user(request, _("%(count)d jobs will run again.") % {"count": done})

    @admin.action(description=_("Cancel (jobs that have not started)"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        done = sum(job_cancel(job=job) for job in queryset)
        audit_operator_action(request=request, name="cancel", objects=queryset)
        level = messages.SUCCESS if done == queryset.count() else messages.WARNING
        self.message_user(request, _("%(count)d jobs cancelled.") % {"count": done}, level)
