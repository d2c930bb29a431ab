"""Operators' view of files: each company's storage against its quota, its files with
their states and sizes, and deleting one (through the service, so its objects go too)."""

from collections.abc import Mapping
from uuid import UUID

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.principal import SystemActor
from apps.files import selectors, services
from apps.files.models import File, TenantStorage
from apps.tenants.company_admin import CompanyPageAdmin
from apps.tenants.models import Tenant
from apps.tenants.selectors import plan_of


def _quota(tenant: TenantStorage) -> int:
    return plan_of(tenant).storage_quota_bytes


def _file_delete(actor: SystemActor, file: File) -> str:
    services.file_delete(file=file, actor=actor)
    return _("%(name)s and its objects were deleted.") % {"name": file.name}


@admin.register(TenantStorage)
class TenantStorageAdmin(CompanyPageAdmin):
    """Read-only: one row per company, its usage against its plan's quota."""

    list_display = ["name", "slug", "plan", "file_count", "used", "quota", "use", "page_link"]
    list_select_related = ["plan"]
    page = "files"
    page_label = gettext_lazy("Files")

    def figures(self, tenants: list[Tenant]) -> Mapping[int, selectors.Usage]:
        return selectors.storage_by_tenant(tenants)

    def no_figures(self) -> selectors.Usage:
        return selectors.Usage(files=0, bytes=0)

    @admin.display(description=gettext_lazy("files"))
    def file_count(self, tenant: TenantStorage) -> int:
        return tenant.figures.files

    @admin.display(description=gettext_lazy("used"))
    def used(self, tenant: TenantStorage) -> str:
        return filesizeformat(tenant.figures.bytes)

    @admin.display(description=gettext_lazy("quota"))
    def quota(self, tenant: TenantStorage) -> str:
        return filesizeformat(_quota(tenant))

    @admin.display(description=gettext_lazy("use"))
    def use(self, tenant: TenantStorage) -> str:
        return f"{100 * tenant.figures.bytes / max(1, _quota(tenant)):.1f} %"

    def company_page(self, request: HttpRequest, tenant: Tenant) -> HttpResponse:
        """A company's newest files; POST deletes one (the `delete` permission of files)."""
        if request.method == "POST":
            return self.company_action(
                request,
                tenant,
                permission="files.delete_file",
                field="file",
                key=UUID,
                find=lambda pk: File.objects.filter(pk=pk).first(),
                act=lambda file: _file_delete(
                    SystemActor.of_operator(request, tenant, "deleted a file"), file
                ),
            )
        state = self.chosen(request, "state", File.State.values)
        usage = selectors.storage_by_tenant([tenant])[tenant.pk]
        context = {
            **self.page_context(request, tenant, _("Files of %(company)s")),
            "files": selectors.tenant_files(tenant=tenant, state=state),
            "states": File.State.choices,
            "state": state,
            "used": usage.bytes,
            "quota": _quota(tenant),
            "can_delete": request.user.has_perm("files.delete_file"),
        }
        return TemplateResponse(request, "admin/files/tenant_files.html", context)
