from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.fields import person_field
from apps.files.models import File
from apps.tenants.models import Tenant

MAX_BODY = 10_000


class Post(models.Model):
    """A post to the company feed: published now, kept as a draft, or published at
    `publish_at` by a delayed job.

    The feed's time is `published_at` (a scheduled post enters the feed when it is
    published, above what was posted before it); drafts and scheduled posts are listed by
    `created_at` and `publish_at`. Each ordering has its `(time, id)` index.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    author = person_field()
    body = models.TextField(_("body"), max_length=MAX_BODY)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # A default rather than auto_now_add: the same in every row made here, and rows made in
    # SQL (benchmarks, imports) set it themselves.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    attachments = models.ManyToManyField(
        File, blank=True, related_name="+", verbose_name=_("attachments")
    )
    # The people notified of a mention already, so an edit notifies only the new ones.
    mentioned = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)
    # The public-schema job that publishes it (apps.jobs.Job); no foreign key across schemas.
    job_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="post_created_id"),
            models.Index(
                fields=["published_at", "id"],
                name="post_published_id",
                condition=models.Q(state="published"),
            ),
            models.Index(fields=["author", "state", "publish_at"], name="post_author_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(published_at__isnull=False),
                name="post_published_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="scheduled") | models.Q(publish_at__isnull=False),
                name="post_scheduled_has_time",
            ),
        ]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.body[:50]


class TenantFeed(Tenant):
    """A company as the operators' admin shows its feed: its published and scheduled posts
    (the posts themselves are in the company's schema; apps.posts.admin reads them there)."""

    class Meta:
        proxy = True
        verbose_name = _("company feed")
        verbose_name_plural = _("company feeds")
