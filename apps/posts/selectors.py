"""Reads on posts. The feed is the company's published posts, newest first by the time
they were published; drafts, scheduled and cancelled posts are listed for their author
only."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tenants.utils import schema_context
from psycopg import sql

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError, NotFoundError
from apps.core.pagination import position_after
from apps.posts.models import Post
from apps.posts.policies import can_change_post, can_see_post
from apps.tenants.models import Tenant

State = Post.State


@dataclass(frozen=True)
class Ordering:
    """How a list of posts in one state is ordered: by `time_field`, then id."""

    time_field: str
    descending: bool

    @property
    def fields(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return (f"{sign}{self.time_field}", f"{sign}id")


ORDERINGS = {
    State.PUBLISHED: Ordering("published_at", descending=True),
    # What comes next first.
    State.SCHEDULED: Ordering("publish_at", descending=False),
    State.DRAFT: Ordering("created_at", descending=True),
    State.CANCELLED: Ordering("created_at", descending=True),
}


def post_list(
    *,
    actor: Actor,
    state: str = State.PUBLISHED,
    author_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Post]:
    """Posts in `state`, in that state's ordering. `since` (inclusive) and `until`
    (exclusive) bound the ordering's time: when published, when due, when written."""
    ordering = ORDERINGS[State(state)]
    posts = Post.objects.filter(state=state)
    if state != State.PUBLISHED:
        membership = actor.membership
        if membership is None:  # an API key (or the system) has no drafts of its own
            return Post.objects.none()
        posts = posts.filter(author_id=membership.user_id)
    if author_id is not None:
        posts = posts.filter(author_id=author_id)
    if since is not None:
        posts = posts.filter(**{f"{ordering.time_field}__gte": since})
    if until is not None:
        posts = posts.filter(**{f"{ordering.time_field}__lt": until})
    return posts.select_related("author").prefetch_related("attachments").order_by(*ordering.fields)


def post_get(*, actor: Actor, post_id: int) -> Post:
    """A post the actor sees; NotFoundError for any other id (someone else's draft too)."""
    post = (
        Post.objects.select_related("author")
        .prefetch_related("attachments")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not can_see_post(actor, post):
        raise NotFoundError
    return post


CHANGE_REFUSED = gettext_noop("Only its author, or an owner or admin, changes this post.")


def post_for_change(*, actor: Actor, post_id: int) -> Post:
    """A post the actor is about to change or delete: NotFoundError when they cannot see
    it, NotAllowedError when they see it but may not change it (apps.posts.policies)."""
    post = post_get(actor=actor, post_id=post_id)
    if not can_change_post(actor, post):
        raise NotAllowedError(_(CHANGE_REFUSED))
    return post


# "N new posts": counted up to this, then shown as "99+".
NEWER_COUNT_CAP = 99


def post_newer_count(*, published_at: datetime, post_id: int) -> int:
    """Published posts above the given one in the feed (published since the page loaded),
    counted up to NEWER_COUNT_CAP + 1 (a bounded count, whatever the feed's size)."""
    newer = Post.objects.filter(state=State.PUBLISHED).filter(
        position_after(("published_at", "id"), [published_at, post_id])
    )
    return newer.values("pk")[: NEWER_COUNT_CAP + 1].count()


@dataclass(frozen=True)
class PostCounts:
    published: int
    scheduled: int


def post_counts_by_tenant(tenants: list[Tenant]) -> dict[int, PostCounts]:
    """Operators: each company's published and scheduled posts, read from every company's
    schema in one query (the admin's page of companies)."""
    if not tenants:
        return {}
    parts = [
        sql.SQL(
            "SELECT {id}::bigint, count(*) FILTER (WHERE state = {published}), "
            "count(*) FILTER (WHERE state = {scheduled}) FROM {table}"
        ).format(
            id=sql.Literal(tenant.pk),
            published=sql.Literal(str(State.PUBLISHED)),
            scheduled=sql.Literal(str(State.SCHEDULED)),
            table=sql.Identifier(tenant.schema_name, Post._meta.db_table),  # noqa: SLF001
        )
        for tenant in tenants
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.connection))
        rows = cursor.fetchall()
    return {
        tenant_id: PostCounts(published=published, scheduled=scheduled)
        for tenant_id, published, scheduled in rows
    }


def tenant_posts(*, tenant: Tenant, state: str | None = None, limit: int = 200) -> list[Post]:
    """Operators: a company's newest posts, by when they were written, with their authors
    (entering its schema to read them)."""
    with schema_context(tenant.schema_name):
        posts = Post.objects.select_related("author").order_by("-created_at", "-id")
        if state:
            posts = posts.filter(state=state)
        return list(posts[:limit])
