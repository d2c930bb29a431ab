"""Writes on posts. A scheduled post is a row in the tenant and a job on the delayed queue,
whose handler publishes it: the state change and the mentions' notifications commit with
the job's success, so a retry after a crash cannot publish or notify twice."""

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.principal import Actor
from apps.accounts.selectors import members_by_handle
from apps.audit.services import audit_record
from apps.core.errors import NotAllowedError, RefusedInputError
from apps.files.selectors import file_ready_list
from apps.jobs.services import job_cancel_by_key, job_reschedule_by_key, job_schedule
from apps.notifications.services import notification_create
from apps.posts.errors import PostStateError
from apps.posts.models import MAX_BODY, Post
from apps.posts.policies import can_change_post, can_post
from apps.posts.selectors import CHANGE_REFUSED
from apps.tenants.models import Tenant

POST_PUBLISH = "post.publish"
MAX_AHEAD = timedelta(days=366)
MAX_ATTACHMENTS = 10
MAX_MENTIONS = 50
# `@taro` (the part of an address before its @, when one person of the company has it) or
# `@taro@example.com`; not the middle of a word or of an address.
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")

State = Post.State


def mention_handles(body: str) -> list[str]:
    """The handles a body mentions, in order, each once, without trailing dots."""
    handles: dict[str, None] = {}
    for match in MENTION.finditer(body):
        handle = match.group(1).rstrip(".").lower()
        if handle:
            handles[handle] = None
    return list(handles)[:MAX_MENTIONS]


def _author(actor: Actor) -> User:
    if not can_post(actor) or actor.membership is None:
        raise NotAllowedError(_("Only people who may write in this company post."))
    return actor.membership.user


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("Write something to post.")]})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": [_("A post holds at most %(max)d characters.") % {"max": MAX_BODY}]}
        )
    return body


def _check_publish_at(publish_at: datetime) -> None:
    now = timezone.now()
    if publish_at <= now:
        raise RefusedInputError({"publish_at": [_("Choose a time in the future.")]})
    if publish_at > now + MAX_AHEAD:
        message = _("Posts can be scheduled at most a year ahead.")
        raise RefusedInputError({"publish_at": [message]})


def _attach(post: Post, *, actor: Actor, file_ids: Sequence[UUID]) -> None:
    unique = list(dict.fromkeys(file_ids))
    if len(unique) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachment_ids": [
                    _("Attach at most %(max)d files.") % {"max": MAX_ATTACHMENTS},
                ]
            }
        )
    files = file_ready_list(actor=actor, file_ids=unique)
    if len(files) != len(unique):
        raise RefusedInputError(
            {"attachment_ids": [_("Attach files of this company that are ready (scanned).")]}
        )
    post.attachments.set(files)


def _job_key(post: Post) -> str:
    return f"post:{post.pk}"


def _notify_mentions(tenant: Tenant, post: Post) -> None:
    """Notify the people the body mentions who were not notified of this post before
    (the author never)."""
    people = members_by_handle(tenant=tenant, handles=mention_handles(post.body))
    new = [
        user
        for user in people.values()
        if user.pk != post.author_id and user.pk not in set(post.mentioned)
    ]
    for user in sorted(new, key=lambda u: u.pk):
        with translation.override(user.language or None):
            notification_create(
                user=user,
                kind="mention",
                title=_("%(name)s mentioned you in a post")
                % {"name": post.author.full_name or post.author.email},
                body=post.body[:500],
                link=f"/feed/{post.pk}",
            )
    if new:
        post.mentioned = [*post.mentioned, *(u.pk for u in new)]
        post.save(update_fields=["mentioned"])


def _publish(tenant: Tenant, post: Post) -> None:
    post.state = State.PUBLISHED
    post.published_at = timezone.now()
    post.save(update_fields=["state", "published_at"])
    _notify_mentions(tenant, post)


@transaction.atomic
def post_create(
    *,
    tenant: Tenant,
    actor: Actor,
    body: str,
    attachment_ids: Sequence[UUID] = (),
    draft: bool = False,
) -> Post:
    """Publish a post now, or keep it as a draft."""
    author = _author(actor)
    post = Post(author=author, body=_clean_body(body), state=State.DRAFT)
    post.full_clean(exclude=["author"])
    post.save()
    _attach(post, actor=actor, file_ids=attachment_ids)
    if not draft:
        _publish(tenant, post)
    return post


@transaction.atomic
def post_schedule(
    *,
    tenant: Tenant,
    actor: Actor,
    body: str,
    publish_at: datetime,
    attachment_ids: Sequence[UUID] = (),
) -> Post:
    """A post published at `publish_at` by a job, exactly once."""
    author = _author(actor)
    body = _clean_body(body)
    _check_publish_at(publish_at)
    post = Post(author=author, body=body, state=State.SCHEDULED, publish_at=publish_at)
    post.full_clean(exclude=["author"])
    post.save()
    _attach(post, actor=actor, file_ids=attachment_ids)
    _schedule_job(tenant, post)
    return post


def _schedule_job(tenant: Tenant, post: Post) -> None:
    assert post.publish_at is not None  # noqa: S101 - a scheduled post has its time
    job = job_schedule(
        tenant=tenant,
        kind=POST_PUBLISH,
        payload={"post_id": post.pk},
        run_at=post.publish_at,
        idempotency_key=_job_key(post),
    )
    post.job_id = job.pk
    post.save(update_fields=["job_id"])


def _locked(post: Post, actor: Actor) -> Post:
    """The post, locked for a change by `actor`."""
    if not can_change_post(actor, post):
        raise NotAllowedError(_(CHANGE_REFUSED))
    return Post.objects.select_for_update().select_related("author").get(pk=post.pk)


@transaction.atomic
def post_update(
    *,
    tenant: Tenant,
    post: Post,
    actor: Actor,
    body: str | None = None,
    attachment_ids: Sequence[UUID] | None = None,
    publish: bool = False,
) -> Post:
    """Edit a post's body or attachments; with `publish`, publish a draft or a scheduled post
    now. A published post's edit is stamped `edited_at` and notifies only newly mentioned
    people."""
    post = _locked(post, actor)
    if post.state == State.CANCELLED:
        raise PostStateError(_("This post was cancelled."))
    if publish and post.state == State.PUBLISHED:
        raise PostStateError(_("This post is already published."))
    if body is not None:
        post.body = _clean_body(body)
        if post.state == State.PUBLISHED:
            post.edited_at = timezone.now()
        post.save(update_fields=["body", "edited_at"])
    if attachment_ids is not None:
        _attach(post, actor=actor, file_ids=attachment_ids)
    if publish:
        if post.state == State.SCHEDULED and not job_cancel_by_key(
            tenant=tenant, idempotency_key=_job_key(post)
        ):
            raise PostStateError(_("This post is being published right now."))
        _publish(tenant, post)
    elif post.state == State.PUBLISHED and body is not None:
        _notify_mentions(tenant, post)
    return post


@transaction.atomic
def post_reschedule(*, tenant: Tenant, post: Post, actor: Actor, publish_at: datetime) -> Post:
    """Move a scheduled post to `publish_at`, or schedule a draft (409 once published or
    cancelled)."""
    post = _locked(post, actor)
    if post.state not in (State.DRAFT, State.SCHEDULED):
        raise PostStateError(
            _("This post was already %(state)s.") % {"state": post.get_state_display()}
        )
    _check_publish_at(publish_at)
    was_draft = post.state == State.DRAFT
    post.state, post.publish_at = State.SCHEDULED, publish_at
    post.save(update_fields=["state", "publish_at"])
    if was_draft:
        _schedule_job(tenant, post)
    elif not job_reschedule_by_key(
        tenant=tenant, idempotency_key=_job_key(post), run_at=publish_at
    ):
        raise PostStateError(_("This post is being published right now."))
    return post


@transaction.atomic
def post_cancel(*, tenant: Tenant, post: Post, actor: Actor) -> Post:
    """Cancel a scheduled post before it is published (409 once published or cancelled)."""
    post = _locked(post, actor)
    if post.state != State.SCHEDULED:
        raise PostStateError(
            _("This post was already %(state)s.") % {"state": post.get_state_display()}
        )
    if not job_cancel_by_key(tenant=tenant, idempotency_key=_job_key(post)):
        raise PostStateError(_("This post is being published right now."))
    post.state = State.CANCELLED
    post.save(update_fields=["state"])
    return post


@transaction.atomic
def post_delete(*, tenant: Tenant, post: Post, actor: Actor) -> None:
    """Delete a post for good; a scheduled one is cancelled first (409 while it is being
    published)."""
    post = _locked(post, actor)
    if post.state == State.SCHEDULED and not job_cancel_by_key(
        tenant=tenant, idempotency_key=_job_key(post)
    ):
        raise PostStateError(_("This post is being published right now."))
    post_id = post.pk  # Django clears it on delete()
    post.delete()
    audit_record(
        action="post.deleted",
        tenant=tenant,
        principal=actor,
        target=f"#{post_id}",
        data={"author": post.author.email if post.author else "", "state": post.state},
    )


def post_publish_due(*, tenant: Tenant, post_id: int) -> None:
    """The job handler's work: publish a scheduled post once. Runs in the job's transaction."""
    post = Post.objects.select_for_update().select_related("author").filter(pk=post_id).first()
    if post is None or post.state != State.SCHEDULED:
        return
    _publish(tenant, post)
