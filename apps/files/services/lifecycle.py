"""Stale uploads and quarantine: what a bucket lifecycle rule would do, done by a periodic
sweep (the store here, S3Proxy, has no lifecycle rules), and the rules themselves for a
store that has them (`manage.py storage_lifecycle`)."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from apps.accounts.principal import Actor, SystemActor
from apps.files import store
from apps.files.models import File
from apps.files.services.states import file_transition
from apps.files.services.uploads import upload_abort
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_list

logger = logging.getLogger(__name__)
State = File.State


@dataclass
class SweepCounts:
    abandoned: int = 0  # uploads left `uploading` too long, aborted
    unstarted: int = 0  # uploads nothing was sent to within the hour, aborted
    orphans: int = 0  # multipart uploads in the store the database does not know, aborted
    quarantine: int = 0  # quarantined objects too old, deleted
    strays: int = 0  # objects in the quarantine no upload in progress owns, deleted

    def add(self, other: "SweepCounts") -> None:
        self.abandoned += other.abandoned
        self.unstarted += other.unstarted
        self.orphans += other.orphans
        self.quarantine += other.quarantine
        self.strays += other.strays


def _tenants() -> list[Tenant]:
    return tenant_list()


def files_sweep(*, now: datetime | None = None) -> SweepCounts:
    """Every company in turn: abort uploads left `uploading` for
    FILES_ABANDONED_AFTER_HOURS, and those nothing was sent to for
    FILES_UNSTARTED_UPLOAD_SECONDS, abort the store's multipart uploads under the company's
    prefix that no upload in progress owns, delete the quarantine's objects that no upload
    in progress owns (what a pre-signed PUT sent after its upload completed, was aborted or
    deleted) and those older than FILES_INCOMING_MAX_AGE_HOURS. A company that fails is
    logged and the next one swept."""
    now = now or timezone.now()
    counts = SweepCounts()
    for tenant in _tenants():
        try:
            with tenant_context(tenant):
                counts.add(files_sweep_tenant(tenant=tenant, now=now))
        except Exception:
            logger.exception("sweeping the uploads of %s failed", tenant.schema_name)
    return counts


def files_sweep_tenant(*, tenant: Tenant, now: datetime) -> SweepCounts:
    """The sweep for the current company (`tenant`, entered by the caller)."""
    counts = SweepCounts()
    sweep = SystemActor(tenant=tenant, reason="upload sweep")
    abandoned = File.objects.filter(
        state=State.UPLOADING,
        created_at__lt=now - timedelta(hours=settings.FILES_ABANDONED_AFTER_HOURS),
    )
    for file in abandoned:
        upload_abort(file=file, actor=sweep, reason=_("Abandoned: not completed within a day."))
        counts.abandoned += 1
    counts.unstarted = _unstarted_abort(sweep, now)

    prefix = store.incoming_prefix(schema_name=tenant.schema_name)
    grace = now - timedelta(seconds=settings.FILES_ORPHAN_GRACE_SECONDS)
    pending = [u for u in store.multipart_pending(prefix=prefix) if u.initiated < grace]
    known = set(
        File.objects.filter(
            state=State.UPLOADING, upload_id__in=[u.upload_id for u in pending]
        ).values_list("upload_id", flat=True)
    )
    for upload in pending:
        if upload.upload_id not in known:
            counts.orphans += store.multipart_abort(key=upload.key, upload_id=upload.upload_id)

    counts.strays, quarantined = _strays_delete(tenant, list(store.objects(prefix=prefix)))
    too_old = now - timedelta(hours=settings.FILES_INCOMING_MAX_AGE_HOURS)
    stale = [obj.key for obj in quarantined if obj.last_modified < too_old]
    store.delete(*stale)
    counts.quarantine += len(stale)
    # A file waiting for its scan that long lost its object with it.
    for file in File.objects.filter(key__in=stale, state__in=[State.UPLOADED, State.SCANNING]):
        with transaction.atomic():
            locked = File.objects.select_for_update().get(pk=file.pk)
            if locked.state in (State.UPLOADED, State.SCANNING) and locked.key == file.key:
                file_transition(
                    locked,
                    State.REJECTED,
                    reason=_("Not scanned within a day; upload the file again."),
                    processed_at=now,
                )
    return counts


def _unstarted_abort(sweep: Actor, now: datetime) -> int:
    """Abort the uploads nothing was sent to within FILES_UNSTARTED_UPLOAD_SECONDS of their
    start or their last request for part URLs, so that an upload begun and never sent does
    not hold the company's quota for long: the store has no object of their PUT, no part of
    their multipart upload. Their count."""
    seconds = settings.FILES_UNSTARTED_UPLOAD_SECONDS
    idle = File.objects.filter(
        state=State.UPLOADING, updated_at__lt=now - timedelta(seconds=seconds)
    )
    reason = _("Abandoned: nothing was sent within %(minutes)d minutes.") % {
        "minutes": seconds // 60
    }
    aborted = 0
    for file in idle:
        if store.head(file.key) is None and not (
            file.upload_id and store.parts_list(key=file.key, upload_id=file.upload_id)
        ):
            upload_abort(file=file, actor=sweep, reason=reason)
            aborted += 1
    return aborted


def _strays_delete(
    tenant: Tenant, objects: list[store.StoredObject]
) -> tuple[int, list[store.StoredObject]]:
    """Delete the quarantine's `objects` that no upload in progress owns: an upload still
    `uploading` owns its key and its checked key (an earlier completion may have copied
    it), one `uploaded` or `scanning` the key it was checked on. The others were sent
    after their upload completed, was aborted or deleted, and are never read: their count,
    and the objects kept."""
    listed = [obj.key for obj in objects]
    open_files = File.objects.filter(
        state__in=[State.UPLOADING, State.UPLOADED, State.SCANNING],
        key__in=listed + [key.removesuffix(".checked") for key in listed],
    ).values_list("pk", "state", "key")
    owned = set()
    for file_id, state, key in open_files:
        owned.add(key)
        if state == State.UPLOADING:
            owned.add(store.checked_key(file_id, schema_name=tenant.schema_name))
    strays = [obj.key for obj in objects if obj.key not in owned]
    if strays:
        store.delete(*strays)
        logger.warning(
            "deleted %d objects sent to the quarantine of %s after their upload ended: %s",
            len(strays),
            tenant.schema_name,
            ", ".join(strays[:20]),
        )
    return len(strays), [obj for obj in objects if obj.key in owned]


def lifecycle_rules() -> list[dict[str, Any]]:
    """The same rules as the sweep, as a bucket lifecycle configuration: one rule per
    company (a prefix filter holds one prefix; S3 takes up to 1,000 rules per bucket)."""
    days_abandoned = max(1, round(settings.FILES_ABANDONED_AFTER_HOURS / 24))
    days_incoming = max(1, round(settings.FILES_INCOMING_MAX_AGE_HOURS / 24))
    return [
        {
            "ID": f"kura-incoming-{tenant.schema_name}",
            "Filter": {"Prefix": store.incoming_prefix(schema_name=tenant.schema_name)},
            "Status": "Enabled",
            "Expiration": {"Days": days_incoming},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days_abandoned},
        }
        for tenant in _tenants()
    ]
