"""Operators' view of the feeds: each company's published and scheduled posts, its newest
posts, and deleting one (through the service, so a scheduled post's job is cancelled too)."""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, tenant_context

from apps.posts import selectors, services
from apps.posts.errors import PostStateError
from apps.posts.models import Post, TenantFeed


@admin.register(TenantFeed)
class TenantFeedAdmin(admin.ModelAdmin):
    """Read-only: one row per company, its published and scheduled posts."""

    list_display = ["name", "slug", "published", "scheduled", "posts_link"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request: HttpRequest) -> Any:
        skip = [get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        return super().get_queryset(request).exclude(schema_name__in=skip)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        counts = selectors.post_counts_by_tenant(page)
        for tenant in page:
            tenant.counts = counts.get(tenant.pk, selectors.PostCounts(published=0, scheduled=0))  # type: ignore[attr-defined]
        return changelist

    @admin.display(description=gettext_lazy("published"))
    def published(self, tenant: TenantFeed) -> int:
        return tenant.counts.published  # type: ignore[attr-defined, no-any-return]

    @admin.display(description=gettext_lazy("scheduled"))
    def scheduled(self, tenant: TenantFeed) -> int:
        return tenant.counts.scheduled  # type: ignore[attr-defined, no-any-return]

    @admin.display(description="")
    def posts_link(self, tenant: TenantFeed) -> str:
        url = reverse("admin:posts_tenantfeed_posts", args=[tenant.pk])
        return format_html('<a href="{}">{}</a>', url, _("Posts"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        posts = path(
            "<int:tenant_id>/posts/",
            self.admin_site.admin_view(self.posts_view),
            name="posts_tenantfeed_posts",
        )
        return [posts, *super().get_urls()]

    def posts_view(self, request: HttpRequest, tenant_id: int) -> HttpResponse:
        """A company's newest posts; POST deletes one (the `delete` permission of posts)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tenant = get_object_or_404(self.get_queryset(request), pk=tenant_id)
        if request.method == "POST":
            if not request.user.has_perm("posts.delete_post"):
                raise PermissionDenied
            try:
                post_id = int(request.POST.get("post", ""))
            except ValueError:
                raise Http404 from None
            with tenant_context(tenant):
                post = Post.objects.filter(pk=post_id).first()
                if post is None:
                    raise Http404
                try:
                    services.post_delete(tenant=tenant, post=post, actor=None)
                except PostStateError as error:
                    self.message_user(request, error.message, level=messages.ERROR)
                else:
                    self.message_user(request, _("The post was deleted."))
            return HttpResponseRedirect(request.get_full_path())
        state = request.GET.get("state") or None
        if state not in {None, *Post.State.values}:
            state = None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Posts of %(company)s") % {"company": tenant.name},
            "opts": self.model._meta,  # noqa: SLF001
            "tenant": tenant,
            "posts": selectors.tenant_posts(tenant=tenant, state=state),
            "states": Post.State.choices,
            "state": state,
            "can_delete": request.user.has_perm("posts.delete_post"),
        }
        return TemplateResponse(request, "admin/posts/tenant_posts.html", context)
