"""Reads on posts. The feed is the company's published posts, newest first by the time
they were published; drafts, scheduled and cancelled posts are listed for their author
only."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan

from apps.accounts.principal import Principal
from apps.posts.models import Post
from apps.posts.policies import can_see_post

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
    principal: Principal,
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
        membership = principal.membership
        if membership is None:  # an API key has no drafts or scheduled posts
            return Post.objects.none()
        posts = posts.filter(author_id=membership.user_id)
    if author_id is not None:
        posts = posts.filter(author_id=author_id)
    if since is not None:
        posts = posts.filter(**{f"{ordering.time_field}__gte": since})
    if until is not None:
        posts = posts.filter(**{f"{ordering.time_field}__lt": until})
    return posts.select_related("author").prefetch_related("attachments").order_by(*ordering.fields)


def post_get(*, principal: Principal, post_id: int) -> Post | None:
    post = (
        Post.objects.select_related("author")
        .prefetch_related("attachments")
        .filter(pk=post_id)
        .first()
    )
    return post if post is not None and can_see_post(principal, post) else None


# "N new posts": counted up to this, then shown as "99+".
NEWER_COUNT_CAP = 99


def post_newer_count(*, published_at: datetime, post_id: int) -> int:
    """Published posts above the given one in the feed (published since the page loaded),
    counted up to NEWER_COUNT_CAP + 1 (a bounded count, whatever the feed's size)."""
    newer = Post.objects.filter(state=State.PUBLISHED).filter(
        TupleGreaterThan(Tuple(F("published_at"), F("id")), [published_at, post_id])
    )
    return newer.values("pk")[: NEWER_COUNT_CAP + 1].count()
