"""Uploads: the browser sends the bytes straight to the object store with pre-signed URLs;
Django checks the request, hands out the URLs and checks what landed.

initiate -> (one PUT, or parts in parallel, resumable through the parts list) -> complete,
which checks the object in the store (size, real type) before the file is `uploaded` and
its virus scan is scheduled. Refusals leave nothing behind: an initiate that fails writes
no row, a complete that finds the wrong file rejects it and deletes its object.
"""

import base64
import binascii
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError, RefusedInputError
from apps.files import sniffing, store, validation
from apps.files.errors import (
    FileTooLargeError,
    FileTypeNotAllowedError,
    PartsUnavailableError,
    QuotaExceededError,
    StoreUnavailableError,
    TooManyOpenUploadsError,
    UploadConflictError,
    UploadGoneError,
    UploadIncompleteError,
    UploadRejectedError,
)
from apps.files.models import File
from apps.files.policies import can_continue_upload, can_upload
from apps.files.selectors import open_upload_count, storage_held, storage_used
from apps.files.services.states import file_transition
from apps.jobs.services import job_schedule
from apps.tenants.models import Plan, Tenant
from apps.tenants.selectors import plan_of

logger = logging.getLogger(__name__)
State = File.State
FILE_SCAN = "file.scan"
# Read back from the store at completion: the real type needs sniffing.HEAD_SIZE bytes; an
# image's pixel count is in its header, which a JPEG's EXIF (thumbnail included) can push
# up to 64 KiB in.
HEAD_BYTES = 64 * 1024
# What the store answers to a completion whose parts are not right.
PART_REFUSALS = frozenset({"InvalidPart", "InvalidPartOrder", "EntityTooSmall"})
# Seconds a client waits before sending again a request the store failed (after its retries).
STORE_RETRY_AFTER = 5


@dataclass(frozen=True)
class UploadTicket:
    """What the client needs to send the bytes: one URL, or the part layout (part URLs come
    from upload_part_urls)."""

    file: File
    expires_at: datetime
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PartUrl:
    part_number: int
    url: str
    headers: dict[str, str]


@dataclass(frozen=True)
class PartUrls:
    parts: list[PartUrl]
    expires_at: datetime


@dataclass(frozen=True)
class PartRef:
    part_number: int
    etag: str


def _expires_at(seconds: int) -> datetime:
    return timezone.now() + timedelta(seconds=seconds)


def part_layout(size: int) -> tuple[int, int]:
    """(part size, part count) for a multipart upload of `size` bytes: the configured part
    size (at least S3's 5 MiB), grown in whole MiB to stay within 10,000 parts."""
    mib = 1024 * 1024
    needed = math.ceil(size / settings.FILES_MAX_PARTS / mib) * mib
    part = max(settings.FILES_PART_BYTES, settings.FILES_MIN_PART_BYTES, needed)
    return part, math.ceil(size / part)


def part_length(file: File, number: int) -> int:
    assert file.part_size is not None  # noqa: S101 - multipart files have them
    assert file.part_count is not None  # noqa: S101
    if number < file.part_count:
        return file.part_size
    return file.size - file.part_size * (file.part_count - 1)


@contextmanager
def _store_calls(file: File) -> Iterator[None]:
    """The store failing a call (after the client's retries) is StoreUnavailableError (503,
    send again shortly), never a 500; the caller's transaction rolls back."""
    try:
        yield
    except store.FAILURES as exc:
        logger.warning("the store failed a call for upload %s: %r", file.pk, exc)
        raise StoreUnavailableError(retry_after=STORE_RETRY_AFTER) from exc


def _upload_lost(file: File) -> None:
    """The store no longer has the upload: it ends `aborted`, its room in the quota given
    back at once (in a transaction of its own: the caller's rolls back with the error)."""
    with transaction.atomic():
        file = File.objects.select_for_update().get(pk=file.pk)
        if file.state == State.UPLOADING:
            file_transition(
                file, State.ABORTED, reason=_("The file store lost this upload; upload it again.")
            )


def _quota_lock(tenant: Tenant) -> None:
    """Two uploads begun at once must not both fit in the room left for one: the check and
    the insert hold a lock of the company's until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"kura:files-quota:{tenant.schema_name}"],
        )


def _room_check(actor: Actor, plan: Plan, size: int) -> None:
    """An upload holds its size of the quota from its start: a person or key has at most
    FILES_MAX_OPEN_UPLOADS open, and the file must fit beside what is stored and held.
    Both refusals say how to free room."""
    count = open_upload_count(actor=actor)
    if count >= settings.FILES_MAX_OPEN_UPLOADS:
        raise TooManyOpenUploadsError(
            ngettext(
                "You have %(count)d upload not finished, the most one person or API key may "
                "have. Finish or cancel it (DELETE /api/upload/{id}) before you start another.",
                "You have %(count)d uploads not finished, the most one person or API key may "
                "have. Finish or cancel them (DELETE /api/upload/{id}) before you start "
                "another.",
                count,
            )
            % {"count": count}
        )
    used = storage_used()
    if used + size <= plan.storage_quota_bytes:
        return
    usage = {"used": filesizeformat(used), "quota": filesizeformat(plan.storage_quota_bytes)}
    held = storage_held()
    if not held:
        raise QuotaExceededError(
            _("This file does not fit: %(used)s of %(quota)s are in use.") % usage
        )
    raise QuotaExceededError(
        _(
            "This file does not fit: %(used)s of %(quota)s are in use, %(held)s of it held by "
            "uploads not finished yet. Finish or cancel them (DELETE /api/upload/{id}), or "
            "delete files, to make room."
        )
        % {**usage, "held": filesizeformat(held)}
    )


@transaction.atomic
def upload_initiate(
    *, tenant: Tenant, actor: Actor, name: str, size: int, content_type: str
) -> UploadTicket:
    """Begin an upload of `size` bytes named `name` (shown to people, never part of a key).

    Refuses what the plan does not allow (size, storage quota counting files stored and
    still uploading), a type not allowed or a name whose extension is not of its type, and
    an upload past FILES_MAX_OPEN_UPLOADS open ones of the actor's.
    Up to FILES_SINGLE_PUT_MAX_BYTES the answer is one pre-signed PUT with the type and
    length signed in; above, a multipart upload whose part URLs upload_part_urls gives (the
    store's multipart upload begins with the first of them, so an upload never started
    leaves nothing in the store).
    """
    if not can_upload(actor):
        raise NotAllowedError(_("Your role in this company may only read."))
    display_name = sniffing.safe_display_name(name)
    declared = validation.declared_type(content_type)
    if not validation.may_be_allowed(declared, validation.extension(display_name)):
        raise FileTypeNotAllowedError(
            _("Files of type %(type)s named %(name)s cannot be uploaded here.")
            % {"type": declared, "name": display_name}
        )
    plan = plan_of(tenant)
    if size > plan.max_file_bytes:
        raise FileTooLargeError(
            _("This file is larger than %(limit)s, the largest your plan takes.")
            % {"limit": filesizeformat(plan.max_file_bytes)}
        )
    _quota_lock(tenant)
    _room_check(actor, plan, size)
    file = File(
        uploader=actor.person,
        api_key_id=actor.api_key.pk if actor.api_key else None,
        name=display_name,
        declared_type=declared,
        size=size,
        method=File.Method.PUT,
    )
    file.key = store.incoming_key(file.pk, schema_name=tenant.schema_name)
    if size <= settings.FILES_SINGLE_PUT_MAX_BYTES:
        file.full_clean(exclude=["uploader"])
        file.save()
        expires_in = settings.FILES_PUT_URL_EXPIRE
        url = store.put_url(key=file.key, content_type=declared, length=size, expires_in=expires_in)
        return UploadTicket(
            file=file,
            url=url,
            headers={"Content-Type": declared},
            expires_at=_expires_at(expires_in),
        )
    file.method = File.Method.MULTIPART
    file.part_size, file.part_count = part_layout(size)
    file.full_clean(exclude=["uploader"])
    file.save()
    return UploadTicket(file=file, expires_at=_expires_at(settings.AWS_QUERYSTRING_EXPIRE))


def _open_multipart(file: File, actor: Actor) -> File:
    """The upload, locked, after the checks every parts call makes."""
    if not can_continue_upload(actor, file):
        raise NotAllowedError(_("Only the person or key that began this upload continues it."))
    file = File.objects.select_for_update().get(pk=file.pk)
    if file.method != File.Method.MULTIPART:
        raise UploadConflictError(_("This upload is one PUT; it has no parts."))
    if file.state != State.UPLOADING:
        raise UploadConflictError(
            _("This upload is %(state)s.") % {"state": file.get_state_display().lower()}
        )
    return file


def _md5(value: str) -> str:
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:  # noqa: PLR2004 - MD5
        raise ValidationError({"md5s": [_("Give each MD5 as the base64 of its 16 bytes.")]})
    return value


@transaction.atomic
def upload_part_urls(
    *, file: File, actor: Actor, part_numbers: list[int], md5s: list[str] | None = None
) -> PartUrls:
    """Pre-signed URLs for the parts `part_numbers` (1 to the part count), each with its
    length signed in, and its Content-MD5 where `md5s` gives one (the client must send it
    as that header). The first call begins the multipart upload in the store."""
    file = _open_multipart(file, actor)
    assert file.part_count  # noqa: S101 - multipart
    if len(set(part_numbers)) != len(part_numbers):
        raise ValidationError({"part_numbers": [_("Ask for each part once.")]})
    outside = [n for n in part_numbers if not 1 <= n <= file.part_count]
    if outside:
        raise RefusedInputError(
            {
                "part_numbers": [
                    _("This upload has parts 1 to %(count)d.") % {"count": file.part_count}
                ]
            }
        )
    if md5s is not None and len(md5s) != len(part_numbers):
        message = _("Give one MD5 for each part number, or none.")
        raise RefusedInputError({"md5s": [message]})
    digests: list[str | None] = [_md5(m) for m in md5s] if md5s is not None else []
    if not file.upload_id:
        # Parallel first calls wait on the row lock; the first one begins the upload.
        with _store_calls(file):
            file.upload_id = store.multipart_create(key=file.key, content_type=file.declared_type)
    # The sweep judges an upload nothing reached yet from its last call here.
    file.save(update_fields=["upload_id", "updated_at"])
    urls = []
    for index, number in enumerate(part_numbers):
        md5 = digests[index] if digests else None
        url = store.part_url(
            key=file.key,
            upload_id=file.upload_id,
            number=number,
            length=part_length(file, number),
            md5=md5,
            expires_in=settings.AWS_QUERYSTRING_EXPIRE,
        )
        urls.append(PartUrl(number, url, {"Content-MD5": md5} if md5 else {}))
    return PartUrls(parts=urls, expires_at=_expires_at(settings.AWS_QUERYSTRING_EXPIRE))


def upload_parts_list(*, file: File, actor: Actor) -> list[store.Part]:
    """The parts the store already has: a client resumes from another page load or device
    by sending the others.

    A store that cannot list them (after retries) is PartsUnavailableError: the client
    sends again the parts it has no confirmation of. A store that no longer has the upload
    is UploadGoneError, and the upload ends `aborted` with its room given back."""
    with transaction.atomic():
        file = _open_multipart(file, actor)
        if not file.upload_id:
            return []
        try:
            parts = store.parts_list(key=file.key, upload_id=file.upload_id)
        except store.FAILURES as exc:
            logger.warning("the store could not list the parts of upload %s: %r", file.pk, exc)
            raise PartsUnavailableError from exc
    if parts is None:
        _upload_lost(file)
        raise UploadGoneError
    return parts


def _abort_in_store(file: File) -> None:
    """Drop what the store holds for the upload. A store that fails leaves it to the sweep
    (it aborts the multipart uploads and deletes the quarantined objects that no upload in
    progress owns): the upload is aborted and its room given back all the same."""
    try:
        if file.upload_id:
            store.multipart_abort(key=file.key, upload_id=file.upload_id)
        store.delete(file.key, store.checked_key(file.pk))
    except store.FAILURES as exc:
        logger.warning("the store failed to drop upload %s (the sweep will): %r", file.pk, exc)


@transaction.atomic
def upload_abort(*, file: File, actor: Actor, reason: str = "") -> File:
    """Abort an upload that has not completed: its room in the quota is given back at once
    and the store drops its parts (or its object; the sweep does when the store fails);
    aborting again answers the same."""
    if not can_continue_upload(actor, file):
        raise NotAllowedError(_("Only the person or key that began this upload aborts it."))
    file = File.objects.select_for_update().get(pk=file.pk)
    if file.state == State.ABORTED:
        return file
    if file.state != State.UPLOADING:
        raise UploadConflictError(_("This upload is already complete; delete the file instead."))
    _abort_in_store(file)
    file_transition(file, State.ABORTED, reason=reason)
    return file


def _parts_to_complete(file: File, given: list[PartRef] | None) -> list[store.Part]:
    """The parts the store has, checked to make the whole declared file, and to be the
    ones the client names when it names them."""
    try:
        parts = store.parts_list(key=file.key, upload_id=file.upload_id) if file.upload_id else []
    except store.FAILURES as exc:
        logger.warning("the store could not list the parts of upload %s: %r", file.pk, exc)
        raise PartsUnavailableError from exc
    if parts is None:
        raise UploadGoneError
    assert file.part_count  # noqa: S101 - multipart
    have = {p.number: p for p in parts}
    missing = [n for n in range(1, file.part_count + 1) if n not in have]
    if missing:
        raise UploadIncompleteError(
            _("The store does not have parts %(parts)s yet.")
            % {"parts": ", ".join(map(str, missing[:20])) + ("…" if len(missing) > 20 else "")}  # noqa: PLR2004
        )
    short = [p.number for p in parts if p.size != part_length(file, p.number)]
    if short:
        raise UploadIncompleteError(
            _("Parts %(parts)s do not have the agreed length.")
            % {"parts": ", ".join(map(str, short[:20]))}
        )
    if given is not None:
        named = {p.part_number: p.etag.strip('"') for p in given}
        stored = {n: p.etag.strip('"') for n, p in have.items()}
        if named != stored:
            wrong = sorted(n for n in set(named) | set(stored) if named.get(n) != stored.get(n))
            raise UploadIncompleteError(
                _("Parts %(parts)s are not the ones the store has.")
                % {"parts": ", ".join(map(str, wrong[:20]))}
            )
    return sorted(parts, key=lambda p: p.number)


def _refusal(file: File, size: int) -> str | None:
    """Why the stored object is not the declared file, if it is not (None: it is)."""
    if size != file.size:
        return _("The store has %(stored)d bytes; %(declared)d were declared.") % {
            "stored": size,
            "declared": file.size,
        }
    body = store.read(file.key, end=min(file.size, HEAD_BYTES))
    try:
        head = body.read()
    finally:
        body.close()
    detected, refusal = validation.head_refusal(head, file.name)
    if detected is not None:
        file.detected_type = detected
    return refusal


def _in_quarantine(file: File, parts: list[PartRef] | None) -> tuple[int, str] | None:
    """Take the uploaded object where no URL reaches it and point `file.key` at it; its
    (size, ETag), or None when nothing has arrived yet.

    A PUT's URL cannot be revoked: it stays good on its key until it expires. Its object is
    copied to the checked key (no URL is ever signed for it) and removed; what a later PUT
    sends there is never read (the sweep removes it). A multipart upload's object is made by
    its completion, here, which ends the upload id and with it its part URLs: it stays on
    its key, which no URL writes."""
    if file.method == File.Method.PUT:
        checked = store.checked_key(file.pk)
        if store.head(file.key) is not None:
            store.copy(source=file.key, target=checked)
            store.delete(file.key)
        # Else nothing was sent, or an earlier call whose transaction did not commit copied it.
        stored = store.head(checked)
        if stored is not None:
            file.key = checked
        return stored
    stored = store.head(file.key)
    # A multipart upload completed by an earlier call whose transaction did not commit is
    # already an object: it is checked like any other.
    if stored is None:
        complete = _parts_to_complete(file, parts)
        try:
            store.multipart_complete(key=file.key, upload_id=file.upload_id, parts=complete)
        except ClientError as exc:
            code = store.error_code(exc)
            if code in store.NO_UPLOAD and store.head(file.key) is None:
                raise UploadGoneError from exc
            if code in PART_REFUSALS:
                # A part replaced between the listing and the completion, say.
                raise UploadIncompleteError(
                    _("The store did not complete the upload: %(error)s")
                    % {"error": exc.response.get("Error", {}).get("Message", "")}
                ) from exc
            if code not in store.NO_UPLOAD:
                raise
            # Else a retry of a completion whose answer was lost: the object is there.
        file.part_etags = [p.etag.strip('"') for p in complete]
        stored = store.head(file.key)
    return stored


def upload_complete(
    *, tenant: Tenant, file: File, actor: Actor, parts: list[PartRef] | None = None
) -> File:
    """Finish an upload: complete the multipart upload (its parts checked first) or take
    the PUT's object out of its URL's reach, then check the object in the store: its size
    is the declared one, its real type (from its first bytes) is allowed and is the type of
    the name's extension. Then the file is `uploaded` and its scan scheduled; the scan and
    everything after read the object checked here, whatever is sent later.

    Idempotent: completing a completed upload answers the file. Missing or wrong parts
    leave the upload open (UploadIncompleteError); a file that is not what was declared is
    rejected and its object deleted (UploadRejectedError).
    """
    if not can_continue_upload(actor, file):
        raise NotAllowedError(_("Only the person or key that began this upload completes it."))
    try:
        return _complete(tenant, file, parts)
    except UploadGoneError:
        _upload_lost(file)
        raise


def _complete(tenant: Tenant, file: File, parts: list[PartRef] | None) -> File:
    with transaction.atomic():
        file = File.objects.select_for_update().get(pk=file.pk)
        if file.state in (State.UPLOADED, State.SCANNING, State.READY):
            return file
        if file.state != State.UPLOADING:
            raise UploadConflictError(
                _("This upload is %(state)s.") % {"state": file.get_state_display().lower()}
            )
        with _store_calls(file):
            stored = _in_quarantine(file, parts)
            if stored is None:
                raise UploadIncompleteError(_("The file has not reached the store yet."))
            size, etag = stored
            refusal = _refusal(file, size)
        if refusal is None:
            file_transition(
                file,
                State.UPLOADED,
                etag=etag.strip('"'),
                uploaded_at=timezone.now(),
                also=["key", "detected_type", "part_etags"],
            )
            file_scan_schedule(tenant=tenant, file=file)
            return file
        with _store_calls(file):
            store.delete(file.key)
        file_transition(
            file,
            State.REJECTED,
            reason=refusal[:300],
            processed_at=timezone.now(),
            also=["key", "detected_type"],
        )
    raise UploadRejectedError(refusal)


def file_scan_schedule(*, tenant: Tenant, file: File) -> None:
    """The scan job for the bytes from `file.scanned_bytes` on (one job per stretch: a
    message sent twice runs it once)."""
    job_schedule(
        tenant=tenant,
        kind=FILE_SCAN,
        payload={"file_id": str(file.pk)},
        delay=0,
        idempotency_key=f"file-scan:{file.pk}:{file.scanned_bytes}",
        max_attempts=settings.FILES_SCAN_MAX_ATTEMPTS,
    )
