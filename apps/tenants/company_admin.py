"""The operators' admin of one app's data across companies: a read-only list of companies
with that app's figures beside each (read for the whole page at once), and a page per
company (its files, posts, orders…) where operators act through the app's services.

An app's admin subclasses `CompanyPageAdmin` on a proxy of Tenant, says how to read the
figures (`figures`, `no_figures`) and renders its page (`company_page`), whose POST acts
on one of the company's rows with `company_action`; the list, the permissions, the URL,
the company lookup and the action's checks are here once.
"""

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django_tenants.utils import get_public_schema_name, tenant_context

from apps.core.errors import ServiceError
from apps.tenants.models import Tenant

Row = TypeVar("Row")


class CompanyPageAdmin(admin.ModelAdmin):
    """Companies with figures, and one page each (`<tenant_id>/<page>/`, URL name
    `admin:<app>_<model>_<page>`). Subclasses set `page`, `page_label` and `list_display`
    (`page_link` is the link to the company's page), and define `figures`,
    `no_figures` and `company_page`."""

    page: str
    page_label: Any  # the link's text (lazy translation)
    search_fields = ["name", "slug"]

    def figures(self, tenants: list[Tenant]) -> Mapping[int, Any]:
        """The app's figures for these companies, by company id, in few queries."""
        raise NotImplementedError

    def no_figures(self) -> Any:
        """The figures of a company the app has nothing of."""
        raise NotImplementedError

    def company_page(self, request: HttpRequest, tenant: Tenant) -> HttpResponse:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> Any:
        skip = [get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        return super().get_queryset(request).exclude(schema_name__in=skip)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        figures = self.figures(page)
        for tenant in page:
            tenant.figures = figures[tenant.pk] if tenant.pk in figures else self.no_figures()
        return changelist

    def _url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{self.page}"

    @admin.display(description="")
    def page_link(self, tenant: Tenant) -> str:
        url = reverse(f"admin:{self._url_name()}", args=[tenant.pk])
        return format_html('<a href="{}">{}</a>', url, self.page_label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        page = path(
            f"<int:tenant_id>/{self.page}/",
            self.admin_site.admin_view(self._company_view),
            name=self._url_name(),
        )
        return [page, *super().get_urls()]

    def _company_view(self, request: HttpRequest, tenant_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        tenant = get_object_or_404(self.get_queryset(request), pk=tenant_id)
        return self.company_page(request, tenant)

    @staticmethod
    def chosen(request: HttpRequest, name: str, values: Collection[str]) -> str | None:
        """A filter of the company page from the query string: one of `values`, or None."""
        value = request.GET.get(name) or None
        return value if value in values else None

    def page_context(self, request: HttpRequest, tenant: Tenant, title: str) -> dict[str, Any]:
        """What every company page's template starts from; `title` names the company as
        `%(company)s`."""
        return {
            **self.admin_site.each_context(request),
            "title": title % {"company": tenant.name},
            "opts": self.opts,
            "tenant": tenant,
        }

    def company_action(
        self,
        request: HttpRequest,
        tenant: Tenant,
        *,
        permission: str,
        field: str,
        key: Callable[[str], Any],
        find: Callable[[Any], Row | None],
        act: Callable[[Row], str],
        refusals: tuple[type[ServiceError], ...] = (),
    ) -> HttpResponse:
        """An operator's POST on one of the company's rows (a file to delete, an order to
        cancel), done through the app's service, then back to the page (its filters kept).

        403 without `permission`; 404 when the POST's `field` is not a key (`key` raises
        ValueError) or names no row (`find` gives None, in the company's schema). `act` runs
        in the company's schema and returns its success message; a refusal among `refusals`
        is shown as an error instead.
        """
        if not request.user.has_perm(permission):
            raise PermissionDenied
        try:
            pk = key(request.POST.get(field, ""))
        except ValueError:
            raise Http404 from None
        with tenant_context(tenant):
            row = find(pk)
            if row is None:
                raise Http404
            try:
                done = act(row)
            except refusals as error:
                self.message_user(request, error.message, level=messages.ERROR)
            else:
                self.message_user(request, done)
        return HttpResponseRedirect(request.get_full_path())
