"""Operators' view of files: each company's storage against its quota, its files with
their states and sizes, and deleting one (through the service, so its objects go too)."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, tenant_context

from apps.files import selectors, services
from apps.files.models import File, TenantStorage
from apps.tenants.models import DEFAULT_PLAN, Plan


def _quota(tenant: TenantStorage) -> int:
    plan: Plan = tenant.plan or DEFAULT_PLAN
    return plan.storage_quota_bytes


@admin.register(TenantStorage)
class TenantStorageAdmin(admin.ModelAdmin):
    """Read-only: one row per company, its usage against its plan's quota."""

    list_display = ["name", "slug", "plan", "file_count", "used", "quota", "use", "files_link"]
    list_select_related = ["plan"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request: HttpRequest) -> Any:
        skip = [get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        return super().get_queryset(request).exclude(schema_name__in=skip)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        usage = selectors.storage_by_tenant(page)
        for tenant in page:
            tenant.usage = usage.get(tenant.pk, selectors.Usage(files=0, bytes=0))  # type: ignore[attr-defined]
        return changelist

    @admin.display(description=gettext_lazy("files"))
    def file_count(self, tenant: TenantStorage) -> int:
        return tenant.usage.files  # type: ignore[attr-defined, no-any-return]

    @admin.display(description=gettext_lazy("used"))
    def used(self, tenant: TenantStorage) -> str:
        return filesizeformat(tenant.usage.bytes)  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("quota"))
    def quota(self, tenant: TenantStorage) -> str:
        return filesizeformat(_quota(tenant))

    @admin.display(description=gettext_lazy("use"))
    def use(self, tenant: TenantStorage) -> str:
        return f"{100 * tenant.usage.bytes / max(1, _quota(tenant)):.1f} %"  # type: ignore[attr-defined]

    @admin.display(description="")
    def files_link(self, tenant: TenantStorage) -> str:
        url = reverse("admin:files_tenantstorage_files", args=[tenant.pk])
        return format_html('<a href="{}">{}</a>', url, _("Files"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        files = path(
            "<int:tenant_id>/files/",
            self.admin_site.admin_view(self.files_view),
            name="files_tenantstorage_files",
        )
        return [files, *super().get_urls()]

    def files_view(self, request: HttpRequest, tenant_id: int) -> HttpResponse:
        """A company's newest files; POST deletes one (the `delete` permission of files)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tenant = get_object_or_404(self.get_queryset(request), pk=tenant_id)
        if request.method == "POST":
            if not request.user.has_perm("files.delete_file"):
                raise PermissionDenied
            try:
                file_id = UUID(request.POST.get("file", ""))
            except ValueError:
                raise Http404 from None
            with tenant_context(tenant):
                file = File.objects.filter(pk=file_id).first()
                if file is None:
                    raise Http404
                services.file_delete(file=file, actor=None)
            self.message_user(
                request, _("%(name)s and its objects were deleted.") % {"name": file.name}
            )
            return HttpResponseRedirect(request.path)
        state = request.GET.get("state") or None
        if state not in {None, *File.State.values}:
            state = None
        usage = selectors.storage_by_tenant([tenant])[tenant.pk]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Files of %(company)s") % {"company": tenant.name},
            "opts": self.model._meta,  # noqa: SLF001
            "tenant": tenant,
            "files": selectors.tenant_files(tenant=tenant, state=state),
            "states": File.State.choices,
            "state": state,
            "used": usage.bytes,
            "quota": _quota(tenant),
            "can_delete": request.user.has_perm("files.delete_file"),
        }
        return TemplateResponse(request, "admin/files/tenant_files.html", context)
