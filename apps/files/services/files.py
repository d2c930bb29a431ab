"""Files once uploaded: downloading and deleting."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.principal import Actor
from apps.audit.services import audit_record, company_here
from apps.core.errors import NotAllowedError
from apps.files import store
from apps.files.errors import FileNotReadyError
from apps.files.models import File
from apps.files.policies import can_delete_file, can_see_file
from apps.files.selectors import DELETE_REFUSED


@dataclass(frozen=True)
class Download:
    url: str
    expires_at: datetime


def file_download(*, file: File, actor: Actor) -> Download:
    """A short-lived pre-signed GET of a `ready` file, answered by the store as an attachment
    of the detected type (never shown inline, whatever the bytes)."""
    if not can_see_file(actor, file):
        raise NotAllowedError
    if file.state != File.State.READY:
        raise FileNotReadyError(
            _("This file is %(state)s; only ready files can be downloaded.")
            % {"state": file.get_state_display().lower()}
        )
    expires_in = settings.FILES_DOWNLOAD_EXPIRE
    url = store.get_url(
        key=file.key, expires_in=expires_in, content_type=file.detected_type, filename=file.name
    )
    return Download(url=url, expires_at=timezone.now() + timedelta(seconds=expires_in))


@transaction.atomic
def file_delete(*, file: File, actor: Actor) -> None:
    """Delete the file and every object of it (an upload in progress is aborted in the
    store)."""
    if not can_delete_file(actor, file):
        raise NotAllowedError(_(DELETE_REFUSED))
    locked = File.objects.select_for_update().filter(pk=file.pk).first()
    if locked is None:
        return
    file = locked
    if file.state == File.State.UPLOADING and file.upload_id:
        store.multipart_abort(key=file.key, upload_id=file.upload_id)
    # file.key is one of them; the previews' keys hold a digest of their bytes.
    store.delete(*store.file_keys(file.pk), file.display_key, file.thumbnail_key)
    file.delete()
    audit_record(
        action="file.deleted",
        tenant=company_here(),
        principal=actor,
        target=file.name,
        data={"size": file.size},
    )
