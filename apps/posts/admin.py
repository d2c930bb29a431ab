"""Operators' view of the feeds: each company's published and scheduled posts, its newest
posts, and deleting one (through the service, so a scheduled post's job is cancelled too)."""

from collections.abc import Mapping

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.principal import SystemActor
from apps.posts import selectors, services
from apps.posts.errors import PostStateError
from apps.posts.models import Post, TenantFeed
from apps.tenants.company_admin import CompanyPageAdmin
from apps.tenants.models import Tenant


def _post_delete(actor: SystemActor, post: Post) -> str:
    services.post_delete(tenant=actor.tenant, post=post, actor=actor)
    return _("The post was deleted.")


@admin.register(TenantFeed)
class TenantFeedAdmin(CompanyPageAdmin):
    """Read-only: one row per company, its published and scheduled posts."""

    list_display = ["name", "slug", "published", "scheduled", "page_link"]
    page = "posts"
    page_label = gettext_lazy("Posts")

    def figures(self, tenants: list[Tenant]) -> Mapping[int, selectors.PostCounts]:
        return selectors.post_counts_by_tenant(tenants)

    def no_figures(self) -> selectors.PostCounts:
        return selectors.PostCounts(published=0, scheduled=0)

    @admin.display(description=gettext_lazy("published"))
    def published(self, tenant: TenantFeed) -> int:
        return tenant.figures.published

    @admin.display(description=gettext_lazy("scheduled"))
    def scheduled(self, tenant: TenantFeed) -> int:
        return tenant.figures.scheduled

    def company_page(self, request: HttpRequest, tenant: Tenant) -> HttpResponse:
        """A company's newest posts; POST deletes one (the `delete` permission of posts)."""
        if request.method == "POST":
            return self.company_action(
                request,
                tenant,
                permission="posts.delete_post",
                field="post",
                key=int,
                find=lambda pk: Post.objects.filter(pk=pk).first(),
                act=lambda post: _post_delete(
                    SystemActor.of_operator(request, tenant, "deleted a post"), post
                ),
                refusals=(PostStateError,),
            )
        state = self.chosen(request, "state", Post.State.values)
        context = {
            **self.page_context(request, tenant, _("Posts of %(company)s")),
            "posts": selectors.tenant_posts(tenant=tenant, state=state),
            "states": Post.State.choices,
            "state": state,
            "can_delete": request.user.has_perm("posts.delete_post"),
        }
        return TemplateResponse(request, "admin/posts/tenant_posts.html", context)
