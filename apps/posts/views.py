"""The company feed's pages: the composer and the feed (infinite scroll by cursor, "N new
posts" without shifting the page), the archive by page number, your scheduled posts and
drafts, and one post with its edit and delete pages.

One view per action: a page's GET shows it, and each thing its forms do (compose;
reschedule, cancel or publish a scheduled post; edit; delete) is a view of its own, which
either redirects or shows the page again with its form's errors. How posts look on a page
is apps.posts.presenters'.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseStopPolling

from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.core.errors import NotFoundError, ServiceError, error_text, form_errors_from
from apps.core.pagination import (
    EXACT_COUNT_UP_TO,
    MAX_PAGE,
    CursorPage,
    CursorParams,
    InvalidCursorError,
    OffsetParams,
    cursor_page,
    offset_page,
)
from apps.core.params import int_param
from apps.core.times import when_text
from apps.posts import selectors, services
from apps.posts.forms import DRAFT, SCHEDULE, ComposerForm, PostForm, RescheduleForm
from apps.posts.models import MAX_BODY, Post
from apps.posts.policies import can_post
from apps.posts.presenters import Attachment, cards, picker
from apps.posts.selectors import NEWER_COUNT_CAP, ORDERINGS

State = Post.State
FEED_PAGE = 20
ARCHIVE_PAGE = 20
# The archive's total is exact up to this many posts, then the planner's estimate.
ARCHIVE_EXACT_UP_TO = EXACT_COUNT_UP_TO
# Scheduled posts and drafts listed on their page (the API lists them all).
OWN_LIST = 100
FEED_ENDPOINT = "feed"
FEED_ORDERING = ORDERINGS[State.PUBLISHED].fields
# Before any post: the top of an empty feed, for "N new posts".
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


# The feed -----------------------------------------------------------------------------------


def _feed_page(principal: Principal, cursor: str | None) -> CursorPage[Post]:
    return cursor_page(
        selectors.post_list(actor=principal),
        params=CursorParams(cursor=cursor, limit=FEED_PAGE),
        endpoint=FEED_ENDPOINT,
        ordering=FEED_ORDERING,
    )


def _feed(
    request: MemberRequest, principal: Principal, form: ComposerForm, offered: list[Attachment]
) -> HttpResponse:
    """The feed page, newest first, with the composer (`form`, for people who may post)."""
    cursor_error = None
    cursor = request.GET.get("cursor") or None
    try:
        page = _feed_page(principal, cursor)
    except InvalidCursorError as exc:
        cursor_error, cursor = error_text(exc), None
        page = _feed_page(principal, None)
    return render(
        request,
        "posts/feed.html",
        {
            "form": form if can_post(principal) else None,
            "picker": offered,
            "chosen": form.chosen(),
            "max_body": MAX_BODY,
            "cards": cards(principal, page.results),
            "page": page,
            # The newest post shown, above which new ones are counted (only at the top).
            "top": None if cursor else (page.results[0].pk if page.results else 0),
            "poll_seconds": settings.KURA_FEED_POLL_SECONDS,
            "cursor_error": cursor_error,
        },
    )


@member_required()
def feed_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The composer (for people who may post) and the feed; its form posts to
    `feed_compose`."""
    if request.method == "POST":
        return feed_compose(request, principal)
    offered = picker(principal) if can_post(principal) else []
    return _feed(request, principal, ComposerForm(None, files=[a.file for a in offered]), offered)


def feed_compose(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Post, schedule or keep the composer's post; the feed again with the form's errors
    when the form or the service refused."""
    if not can_post(principal):
        raise PermissionDenied
    offered = picker(principal)
    form = ComposerForm(request.POST, files=[a.file for a in offered])
    if not form.is_valid():
        return _feed(request, principal, form, offered)
    data = form.cleaned_data
    tenant = request.tenant
    try:
        if data["action"] == SCHEDULE:
            post = services.post_schedule(
                tenant=tenant,
                actor=principal,
                body=data["body"],
                publish_at=data["publish_at"],
                attachment_ids=data["attachments"],
            )
        else:
            post = services.post_create(
                tenant=tenant,
                actor=principal,
                body=data["body"],
                attachment_ids=data["attachments"],
                draft=data["action"] == DRAFT,
            )
    except (ValidationError, ServiceError) as exc:
        form_errors_from(form, exc, attachment_ids="attachments")
        return _feed(request, principal, form, offered)
    if post.state == State.SCHEDULED:
        assert post.publish_at is not None  # noqa: S101 - a scheduled post has its time
        messages.success(
            request,
            _("Post scheduled for %(when)s.") % {"when": when_text(post.publish_at)},
        )
        return redirect("feed-scheduled")
    if post.state == State.DRAFT:
        messages.success(request, _("Draft saved. Publish it from your scheduled posts."))
        return redirect("feed-scheduled")
    messages.success(request, _("Posted."))
    return redirect("feed")


@member_required()
def feed_more_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The feed's next posts after a cursor and the next sentinel, for infinite scroll."""
    try:
        page = _feed_page(principal, request.GET.get("cursor") or None)
    except InvalidCursorError as exc:
        return render(
            request, "posts/feed_more_invalid.html", {"error": error_text(exc)}, status=400
        )
    return render(
        request, "posts/feed_more.html", {"cards": cards(principal, page.results), "page": page}
    )


@never_cache
def feed_new_view(request: MemberRequest) -> HttpResponse:
    """How many posts were published above `top` (the newest post the page shows; 0 for an
    empty feed): a button that reloads the feed's top, or nothing. A session that has ended
    stops the polling; a `top` deleted since answers nothing."""
    principal = request.principal
    if principal is None:
        return HttpResponseStopPolling()
    top_id = int_param(request.GET.get("top"))
    if top_id:
        try:
            top = selectors.post_get(actor=principal, post_id=top_id)
        except NotFoundError:
            return HttpResponse("")
        if top.published_at is None:
            return HttpResponse("")
        count = selectors.post_newer_count(published_at=top.published_at, post_id=top.pk)
    else:
        count = selectors.post_newer_count(published_at=BEGINNING, post_id=0)
    return render(
        request,
        "posts/feed_new.html",
        {"count": count, "capped": count > NEWER_COUNT_CAP, "shown": min(count, NEWER_COUNT_CAP)},
    )


@member_required()
def feed_archive_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Every published post by page number, with the total."""
    number = min(max(int_param(request.GET.get("page")), 1), MAX_PAGE)
    page = offset_page(
        selectors.post_list(actor=principal),
        params=OffsetParams(page=number, limit=ARCHIVE_PAGE),
        exact_up_to=ARCHIVE_EXACT_UP_TO,
    )
    # A few numbers around this page, the first and (when the total is exact) the last.
    last = page.total_pages if not page.total_is_estimate else None
    numbers = sorted(
        {1, *range(max(1, number - 2), min(page.total_pages, number + 2) + 1)}
        | ({last} if last else set())
    )
    return render(
        request,
        "posts/archive.html",
        {
            "cards": cards(principal, page.results),
            "page": page,
            # Each number, and whether numbers were left out before it.
            "numbers": [(n, i > 0 and n - numbers[i - 1] > 1) for i, n in enumerate(numbers)],
        },
    )


# Your scheduled posts and drafts ------------------------------------------------------------

ScheduledAction = Callable[[MemberRequest, Principal, Post], HttpResponse]


def _scheduled(
    request: MemberRequest, principal: Principal, failed: RescheduleForm | None = None
) -> HttpResponse:
    """The page, with `failed` (a reschedule refused) in place of its post's form."""
    scheduled = list(selectors.post_list(actor=principal, state=State.SCHEDULED)[:OWN_LIST])
    drafts = list(selectors.post_list(actor=principal, state=State.DRAFT)[:OWN_LIST])
    rows = [
        (
            card,
            failed
            if failed is not None and failed.prefix == f"r{card.post.pk}"
            else RescheduleForm(
                prefix=f"r{card.post.pk}", initial={"publish_at": card.post.publish_at}
            ),
        )
        for card in cards(principal, scheduled)
    ]
    return render(
        request,
        "posts/scheduled.html",
        {"rows": rows, "drafts": cards(principal, drafts)},
    )


@member_required()
def feed_scheduled_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Your scheduled posts (soonest first), to reschedule or cancel, and your drafts, to
    publish or delete; each form posts here with its `action`, done by that action's view."""
    if request.method != "POST":
        return _scheduled(request, principal)
    post = selectors.post_get(actor=principal, post_id=int_param(request.POST.get("post")))
    action = SCHEDULED_ACTIONS.get(request.POST.get("action") or "")
    if action is None:
        return redirect("feed-scheduled")
    return action(request, principal, post)


def scheduled_reschedule(request: MemberRequest, principal: Principal, post: Post) -> HttpResponse:
    form = RescheduleForm(request.POST, prefix=f"r{post.pk}")
    if not form.is_valid():
        return _scheduled(request, principal, failed=form)
    try:
        post = services.post_reschedule(
            tenant=request.tenant,
            post=post,
            actor=principal,
            publish_at=form.cleaned_data["publish_at"],
        )
    except (ValidationError, ServiceError) as exc:
        form_errors_from(form, exc)
        return _scheduled(request, principal, failed=form)
    assert post.publish_at is not None  # noqa: S101 - a scheduled post has its time
    messages.success(
        request, _("Post rescheduled for %(when)s.") % {"when": when_text(post.publish_at)}
    )
    return redirect("feed-scheduled")


def _act(request: MemberRequest, action: Callable[[], object], success: str) -> HttpResponse:
    """A service call from a button: its refusal (a 409 once published) as a message."""
    try:
        action()
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("feed-scheduled")


def scheduled_cancel(request: MemberRequest, principal: Principal, post: Post) -> HttpResponse:
    return _act(
        request,
        lambda: services.post_cancel(tenant=request.tenant, post=post, actor=principal),
        _("The scheduled post was cancelled."),
    )


def scheduled_publish(request: MemberRequest, principal: Principal, post: Post) -> HttpResponse:
    return _act(
        request,
        lambda: services.post_update(
            tenant=request.tenant, post=post, actor=principal, publish=True
        ),
        _("Published."),
    )


SCHEDULED_ACTIONS: dict[str, ScheduledAction] = {
    "reschedule": scheduled_reschedule,
    "cancel": scheduled_cancel,
    "publish": scheduled_publish,
}


# One post -----------------------------------------------------------------------------------


@member_required()
def post_view(request: MemberRequest, principal: Principal, post_id: int) -> HttpResponse:
    """One post: where a mention's notification leads."""
    post = selectors.post_get(actor=principal, post_id=post_id)
    return render(request, "posts/post.html", {"card": cards(principal, [post])[0]})


@member_required()
def post_edit_view(request: MemberRequest, principal: Principal, post_id: int) -> HttpResponse:
    """Change a post's text and attachments (its author; owners and admins any published
    post)."""
    post = selectors.post_for_change(actor=principal, post_id=post_id)
    attached = list(post.attachments.all())
    offered = picker(principal, attached)
    form = PostForm(
        request.POST if request.method == "POST" else None,
        files=[a.file for a in offered],
        initial={"body": post.body, "attachments": [str(f.pk) for f in attached]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.post_update(
                tenant=request.tenant,
                post=post,
                actor=principal,
                body=form.cleaned_data["body"],
                attachment_ids=form.cleaned_data["attachments"],
            )
        except (ValidationError, ServiceError) as exc:
            form_errors_from(form, exc, attachment_ids="attachments")
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("post", post_id=post.pk)
    return render(
        request,
        "posts/post_edit.html",
        {
            "post": post,
            "form": form,
            "picker": offered,
            "chosen": form.chosen(),
            "max_body": MAX_BODY,
        },
    )


@member_required()
def post_delete_view(request: MemberRequest, principal: Principal, post_id: int) -> HttpResponse:
    """Deleting a post, after saying what it does."""
    post = selectors.post_for_change(actor=principal, post_id=post_id)
    error = None
    if request.method == "POST":
        try:
            services.post_delete(tenant=request.tenant, post=post, actor=principal)
        except ServiceError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("The post was deleted."))
            return redirect("feed" if post.state == State.PUBLISHED else "feed-scheduled")
    return render(
        request,
        "posts/post_delete.html",
        {"card": cards(principal, [post])[0], "error": error},
    )
