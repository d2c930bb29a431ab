import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.fields import person_field
from apps.tenants.models import Tenant


class File(models.Model):
    """A file of the company, uploaded by a browser or client straight to the object store.

    States change through apps.files.services only (TRANSITIONS says which may follow which):
    uploading -> uploaded (the store has all of it, size and real type checked) -> scanning
    (clamd; then promoted out of quarantine, images get their derivatives) -> ready, or
    infected, or rejected; an upload can be aborted while it is uploading.
    """

    class State(models.TextChoices):
        UPLOADING = "uploading", _("Uploading")
        UPLOADED = "uploaded", _("Uploaded")
        SCANNING = "scanning", _("Scanning")
        READY = "ready", _("Ready")
        INFECTED = "infected", _("Infected")
        REJECTED = "rejected", _("Rejected")
        ABORTED = "aborted", _("Aborted")

    class Method(models.TextChoices):
        PUT = "put", _("One PUT")
        MULTIPART = "multipart", _("Multipart")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A person, or nobody when an API key uploaded it (then `api_key_id`).
    uploader = person_field(null=True, blank=True)
    # The public-schema API key (accounts.ApiKey) that uploaded it; no foreign key across
    # schemas.
    api_key_id = models.BigIntegerField(null=True, blank=True)
    # Shown to people and offered as the download's file name; never part of an object key.
    name = models.CharField(_("name"), max_length=255)
    declared_type = models.CharField(_("declared type"), max_length=100)
    detected_type = models.CharField(_("detected type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    method = models.CharField(_("upload method"), max_length=16, choices=Method.choices)
    part_size = models.PositiveBigIntegerField(_("part size"), null=True, blank=True)
    part_count = models.PositiveIntegerField(_("part count"), null=True, blank=True)
    upload_id = models.CharField(_("multipart upload id"), max_length=255, blank=True)
    # The store's ETag of the whole object and of each part (MD5s, which the store checked
    # against the Content-MD5 a client sent with a part).
    etag = models.CharField(_("ETag"), max_length=100, blank=True)
    part_etags = models.JSONField(_("part ETags"), default=list, blank=True)
    # The original's key: under incoming/ (quarantine) until scanned clean, then files/.
    key = models.CharField(_("object key"), max_length=500)
    display_key = models.CharField(_("display image key"), max_length=500, blank=True)
    thumbnail_key = models.CharField(_("thumbnail key"), max_length=500, blank=True)
    # An image's size as people see it (EXIF orientation applied), once derived.
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.UPLOADING
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # How far the virus scan has read (a large file is scanned over several job runs).
    scanned_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("file")
        verbose_name_plural = _("files")
        constraints = [
            models.CheckConstraint(
                condition=Q(method="put") | (Q(part_size__gt=0) & Q(part_count__gt=0)),
                name="file_multipart_has_parts",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="file_newest_idx"),
            # The sweep's question: uploads left unfinished.
            models.Index(
                fields=["created_at"], condition=Q(state="uploading"), name="file_uploading_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


State = File.State
# Which state may follow which; services refuse anything else.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.UPLOADING: frozenset({State.UPLOADED, State.REJECTED, State.ABORTED}),
    State.UPLOADED: frozenset({State.SCANNING, State.REJECTED}),
    State.SCANNING: frozenset({State.READY, State.INFECTED, State.REJECTED}),
    State.READY: frozenset(),
    State.INFECTED: frozenset(),
    State.REJECTED: frozenset(),
    State.ABORTED: frozenset(),
}
# Files whose bytes count against the company's storage quota.
STORED_OR_COMING = [State.UPLOADING, State.UPLOADED, State.SCANNING, State.READY]


class TenantStorage(Tenant):
    """A company as the operators' admin shows its storage: files, bytes and quota (the
    files themselves are in the company's schema; apps.files.admin reads them there)."""

    class Meta:
        proxy = True
        verbose_name = _("company storage")
        verbose_name_plural = _("company storage")
