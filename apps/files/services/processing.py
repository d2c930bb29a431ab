"""After an upload: the virus scan, promotion out of quarantine, the previews (display image
and thumbnail) of images and documents.

Each step is a job on the delayed queue (apps.jobs; handlers in apps.files.jobs) and runs in
the job's transaction, in the tenant. The store is not transactional, so each step first
looks at what the store already has: a step run again (a retry after a crash, a message
delivered twice) has one effect.
"""

import shutil
from pathlib import Path
from tempfile import NamedTemporaryFile, SpooledTemporaryFile
from typing import IO
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.principal import SystemActor
from apps.accounts.selectors import api_key_get
from apps.core import antivirus
from apps.core.errors import NotFoundError
from apps.files import documents, images, store
from apps.files.errors import ImageRefusedError, PreviewRefusedError
from apps.files.models import File
from apps.files.services.states import file_transition
from apps.files.services.uploads import file_scan_schedule
from apps.jobs.services import job_schedule
from apps.notifications.services import notification_create
from apps.tenants.models import Tenant

State = File.State
FILE_DERIVE = "file.derive"
PREVIEWED = documents.PREVIEWED
# Pillow reads a photo from a seekable file; one this large stays in memory, larger ones
# spill to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024


def _scan(key: str, start: int, end: int) -> antivirus.ScanResult:
    """Scan bytes start..end of the object in windows clamd takes, each overlapping the one
    before so that a signature across a boundary is seen whole."""
    position = start
    while position < end:
        stop = min(position + settings.FILES_SCAN_WINDOW_BYTES, end)
        body = store.read(key, start=max(0, position - settings.FILES_SCAN_OVERLAP_BYTES), end=stop)
        try:
            result = antivirus.scan_stream(body)
        finally:
            body.close()
        if not result.clean:
            return result
        position = stop
    return antivirus.ScanResult(clean=True)


def _source(file: File) -> str | None:
    """Where the original is: quarantine, or already promoted by a run whose transaction did
    not commit; None when the store has neither."""
    for key in (file.key, store.served_key(file.pk)):
        if store.head(key) is not None:
            return key
    return None


def _reject(file: File, reason: str) -> None:
    store.delete(*store.file_keys(file.pk), file.display_key, file.thumbnail_key)
    file_transition(file, State.REJECTED, reason=reason[:300], processed_at=timezone.now())


def _notify_infected(tenant: Tenant, file: File, signature: str) -> None:
    person: User | None = file.uploader
    if person is None and file.api_key_id is not None:
        try:
            key = api_key_get(actor=SystemActor(tenant, "virus scan"), key_id=file.api_key_id)
        except NotFoundError:  # deleted since: nobody to tell
            return
        person = key.created_by
    if person is None:
        return
    notification_create(
        user=person,
        kind="file_infected",
        title=_("A virus was found in %(name)s; the file was deleted.") % {"name": file.name},
        body=signature,
        link="/files",
    )


def file_scan(*, tenant: Tenant, file_id: UUID) -> None:
    """The scan job: stream the next stretch of the file from the store to clamd.

    Infected: every object of the file deleted, the file `infected`, its uploader notified.
    Clean and more to read: the next stretch is the next job (a large file takes several,
    each within a task's time limit). Clean to the end: promoted out of quarantine; an
    image or a document Kura previews goes on to its previews, anything else is `ready`.
    """
    file = File.objects.filter(pk=file_id).first()
    if file is None or file.state not in (State.UPLOADED, State.SCANNING):
        return
    start = file.scanned_bytes
    end = min(file.size, start + settings.FILES_SCAN_BYTES_PER_JOB)
    source = _source(file)
    result = _scan(source, start, end) if source is not None else None
    # The verdict is applied to the file as it is now: it may have been deleted meanwhile.
    file = File.objects.select_for_update().filter(pk=file_id).first()
    if file is None:
        if source is not None:
            store.delete(source)
        return
    if file.state not in (State.UPLOADED, State.SCANNING) or file.scanned_bytes != start:
        return
    if file.state == State.UPLOADED:
        file_transition(file, State.SCANNING)
    if result is None:
        _reject(file, _("The file is no longer in the store."))
        return
    if not result.clean:
        signature = result.signature or "?"
        store.delete(*store.file_keys(file.pk))
        file_transition(file, State.INFECTED, reason=signature[:300], processed_at=timezone.now())
        _notify_infected(tenant, file, signature)
        return
    file.scanned_bytes = end
    file.save(update_fields=["scanned_bytes", "updated_at"])
    if end < file.size:
        file_scan_schedule(tenant=tenant, file=file)
        return
    assert source is not None  # noqa: S101 - a result means there was something to scan
    _promote(file, source)
    if file.detected_type in PREVIEWED:
        job_schedule(
            tenant=tenant,
            kind=FILE_DERIVE,
            payload={"file_id": str(file.pk)},
            delay=0,
            idempotency_key=f"file-derive:{file.pk}",
        )
    else:
        file_transition(file, State.READY, processed_at=timezone.now())


def _promote(file: File, source: str) -> None:
    served = store.served_key(file.pk)
    if source != served:
        store.copy(source=source, target=served)
        store.delete(source)
    file.key = served
    file.save(update_fields=["key", "updated_at"])


def file_derive(*, tenant: Tenant, file_id: UUID) -> None:
    """The previews job: an 800x600 display image and a 200x200 thumbnail of an image, of
    a PDF's first page or of an office file's picture of itself, stored under keys made of
    their bytes (apps.files.store.derivative_key); then the file is `ready`. An image Pillow
    refuses (a decompression bomb, a damaged file) is rejected and deleted; a document
    without a preview is ready all the same, the reason kept."""
    file = File.objects.select_for_update().filter(pk=file_id).first()
    if file is None or file.state != State.SCANNING or file.key != store.served_key(file.pk):
        return
    try:
        made = _previews(file)
    except ImageRefusedError as exc:
        _reject(file, exc.message)
        return
    except PreviewRefusedError as exc:
        file_transition(file, State.READY, reason=exc.message[:300], processed_at=timezone.now())
        return
    keys = _store_previews(file, made)
    picture = file.detected_type in images.DECODERS  # a document's size is not in pixels
    file_transition(
        file,
        State.READY,
        display_key=keys[0],
        thumbnail_key=keys[1],
        width=made.width if picture else None,
        height=made.height if picture else None,
        processed_at=timezone.now(),
    )


def _previews(file: File) -> images.Derivatives:
    """The file's two pictures: ImageRefusedError for an image Kura will not decode,
    PreviewRefusedError for a document it makes no preview of."""
    if file.detected_type in images.DECODERS:
        with SpooledTemporaryFile(max_size=SPOOL_BYTES) as copy:
            _copy_original(file, copy)
            return images.derivatives(copy, declared_type=file.detected_type)  # type: ignore[arg-type]
    # PDFium and zipfile read from a path, only the parts they need.
    with NamedTemporaryFile(suffix=".kura") as copy:
        _copy_original(file, copy)
        copy.flush()
        return documents.previews(Path(copy.name), detected_type=file.detected_type)


def _copy_original(file: File, into: IO[bytes]) -> None:
    body = store.read(file.key)
    try:
        shutil.copyfileobj(body, into, 1024 * 1024)
    finally:
        body.close()
    into.seek(0)


def _store_previews(file: File, made: images.Derivatives) -> tuple[str, str]:
    """Store both pictures under keys of their own bytes, cacheable for a year, and delete
    what the file had before under other keys (the same bytes keep their key)."""
    display = store.derivative_key(file.pk, kind="display", body=made.display)
    thumbnail = store.derivative_key(file.pk, kind="thumbnail", body=made.thumbnail)
    store.put_immutable(key=display, body=made.display, content_type="image/jpeg")
    store.put_immutable(key=thumbnail, body=made.thumbnail, content_type="image/jpeg")
    stale = {file.display_key, file.thumbnail_key} - {display, thumbnail}
    store.delete(*stale)
    return display, thumbnail


@transaction.atomic
def file_previews_remake(*, file_id: UUID) -> bool:
    """Make a ready file's previews again, in the current company: for a document uploaded
    before Kura previewed its type, for previews stored under the keys used before they were
    cached (`display/<id>.jpg`), or after a change to how previews are drawn. New bytes get
    new keys and the old objects are deleted; the same bytes keep theirs. A file whose
    preview is refused keeps what it had (a document gets the reason). True when the file's
    previews changed."""
    file = File.objects.select_for_update().filter(pk=file_id).first()
    if file is None or file.state != State.READY or file.detected_type not in PREVIEWED:
        return False
    try:
        made = _previews(file)
    except ImageRefusedError:
        return False
    except PreviewRefusedError as exc:
        file.reason = exc.message[:300]
        file.save(update_fields=["reason", "updated_at"])
        return False
    before = (file.display_key, file.thumbnail_key)
    file.display_key, file.thumbnail_key = _store_previews(file, made)
    file.reason = ""
    file.save(update_fields=["display_key", "thumbnail_key", "reason", "updated_at"])
    return before != (file.display_key, file.thumbnail_key)


def file_scan_given_up(*, file_id: UUID) -> None:
    """The scan job died (clamd down for good): nothing unscanned is ever served, so the
    file is rejected and its objects deleted."""
    with transaction.atomic():
        file = File.objects.select_for_update().filter(pk=file_id).first()
        if file is not None and file.state in (State.UPLOADED, State.SCANNING):
            _reject(file, _("The virus scan could not run; upload the file again."))


def file_derive_given_up(*, file_id: UUID) -> None:
    """The derivatives job died on something other than a refused image: the file was
    scanned clean, so it is ready, without a display image or thumbnail."""
    with transaction.atomic():
        file = File.objects.select_for_update().filter(pk=file_id).first()
        if file is not None and file.state == State.SCANNING:
            file_transition(
                file,
                State.READY,
                reason=_("No preview could be made."),
                processed_at=timezone.now(),
            )
