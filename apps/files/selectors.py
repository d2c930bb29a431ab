"""Reads on files. Everyone in the company sees its files; an upload in progress is reached
for its parts, completion or abort by its uploader only."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tenants.utils import schema_context
from psycopg import sql

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError, NotFoundError
from apps.core.pagination import NumberedPage, numbered_page
from apps.files import documents, store
from apps.files.models import STORED_OR_COMING, File
from apps.files.policies import can_delete_file, can_see_file, is_uploader
from apps.tenants.models import Tenant


def file_list(
    *, actor: Actor, state: str | None = None, type_: str | None = None
) -> QuerySet[File]:
    """Newest first. Aborted uploads only when asked for by state; `type_` is a MIME type
    (`application/pdf`) or its top level (`image`), matched against the detected type."""
    files = File.objects.select_related("uploader").order_by("-created_at", "-id")
    files = files.filter(state=state) if state else files.exclude(state=File.State.ABORTED)
    if type_:
        files = (
            files.filter(detected_type=type_)
            if "/" in type_
            else files.filter(detected_type__startswith=f"{type_}/")
        )
    return files


PAGE_SIZE = 24


# Not cards of the files page's grid: uploads still going up (their uploader follows them in
# the uploader, where a failed one offers retry; a card would say "Uploading" until the
# sweep) and infected files, whose objects are deleted (the page says so above the grid,
# as the uploader's notification does).
OFF_THE_GRID = (File.State.UPLOADING, File.State.INFECTED)
INFECTED_SHOWN_DAYS = 7


def file_page(*, actor: Actor, page: int = 1, size: int = PAGE_SIZE) -> NumberedPage[File]:
    """One page of the files page's grid."""
    files = file_list(actor=actor).exclude(state__in=OFF_THE_GRID)
    return numbered_page(files, number=page, size=size)


def files_recently_infected(*, actor: Actor, limit: int = 10) -> list[File]:
    """The newest files found infected in the last INFECTED_SHOWN_DAYS days (deleted since)."""
    since = timezone.now() - timedelta(days=INFECTED_SHOWN_DAYS)
    files = file_list(actor=actor, state=File.State.INFECTED).filter(processed_at__gte=since)
    return list(files[:limit])


def file_images_ready(*, actor: Actor, excluding: Sequence[UUID] = (), limit: int) -> list[File]:
    """The company's newest ready pictures whose previews are made (a product's images
    are chosen from them), leaving out `excluding`."""
    files = file_list(actor=actor, state=File.State.READY, type_="image")
    return list(files.exclude(width=None).exclude(pk__in=excluding)[:limit])


def image_url(*, file: File, key: str) -> str | None:
    """A ready file's thumbnail or display image (`key`): a pre-signed GET that expires
    soon, so a link copied out of a page stops working, on a path that stays the same, so a
    CDN can cache it (apps.files.store.derivative_url); None for anything else."""
    if file.state != File.State.READY or not key:
        return None
    return store.derivative_url(key=key, expires_in=settings.FILES_DOWNLOAD_EXPIRE)


def files_to_preview(*, actor: Actor, every: bool = False) -> list[UUID]:
    """Ready files of the current company whose previews the previews job would make now:
    those without (a document uploaded before Kura previewed its type) and those under the
    keys used before previews were cached; with `every`, all it previews."""
    files = File.objects.filter(state=File.State.READY, detected_type__in=documents.PREVIEWED)
    if not every:
        files = files.filter(Q(display_key="") | Q(display_key__regex=_UNCACHED_KEY))
    return list(files.order_by("created_at").values_list("pk", flat=True))


# display/<id>.jpg: no digest of its bytes in the key.
_UNCACHED_KEY = r"/display/[0-9a-f-]{36}\.jpg$"


def file_get(*, actor: Actor, file_id: UUID) -> File:
    """A file of the company the actor sees; NotFoundError for any other id."""
    file = File.objects.select_related("uploader").filter(pk=file_id).first()
    if file is None or not can_see_file(actor, file):
        raise NotFoundError
    return file


DELETE_REFUSED = gettext_noop("Only its uploader or an admin deletes this file.")


def file_for_delete(*, actor: Actor, file_id: UUID) -> File:
    """A file the actor is about to delete: NotFoundError when they cannot see it,
    NotAllowedError when they may not delete it (apps.files.policies)."""
    file = file_get(actor=actor, file_id=file_id)
    if not can_delete_file(actor, file):
        raise NotAllowedError(_(DELETE_REFUSED))
    return file


def upload_get(*, actor: Actor, file_id: UUID) -> File:
    """The caller's own upload; NotFoundError for someone else's, as for no upload."""
    file = File.objects.select_related("uploader").filter(pk=file_id).first()
    if file is None or not is_uploader(actor, file):
        raise NotFoundError
    return file


def storage_used() -> int:
    """Bytes of the current company's files stored, and still uploading (quota counts both)."""
    total = File.objects.filter(state__in=STORED_OR_COMING).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def storage_held() -> int:
    """Bytes of the current company's quota held by uploads not finished yet."""
    uploading = File.objects.filter(state=File.State.UPLOADING)
    return int(uploading.aggregate(total=Sum("size"))["total"] or 0)


def open_upload_count(*, actor: Actor) -> int:
    """Uploads the actor began and has not completed or aborted."""
    uploads = File.objects.filter(state=File.State.UPLOADING)
    if actor.membership is not None:
        return uploads.filter(uploader_id=actor.membership.user_id).count()
    if actor.api_key is not None:
        return uploads.filter(api_key_id=actor.api_key.pk).count()
    return 0


@dataclass(frozen=True)
class Usage:
    files: int
    bytes: int


def storage_by_tenant(tenants: list[Tenant]) -> dict[int, Usage]:
    """Operators: each company's files and bytes counting against its quota, read from every
    company's schema in one query (the admin's page of companies)."""
    if not tenants:
        return {}
    states = [str(state) for state in STORED_OR_COMING]
    parts = [
        sql.SQL(
            "SELECT {id}::bigint, count(*), coalesce(sum(size), 0) FROM {table} "
            "WHERE state = ANY({states})"
        ).format(
            id=sql.Literal(tenant.pk),
            table=sql.Identifier(tenant.schema_name, File._meta.db_table),  # noqa: SLF001
            states=sql.Literal(states),
        )
        for tenant in tenants
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.connection))
        rows = cursor.fetchall()
    return {tenant_id: Usage(files=count, bytes=int(total)) for tenant_id, count, total in rows}


def tenant_files(*, tenant: Tenant, state: str | None = None, limit: int = 200) -> list[File]:
    """Operators: a company's newest files (entering its schema to read them)."""
    with schema_context(tenant.schema_name):
        files = File.objects.order_by("-created_at", "-id")
        if state:
            files = files.filter(state=state)
        return list(files[:limit])


def file_ready_newest(*, actor: Actor, limit: int) -> list[File]:
    """The newest `limit` ready files: what a composer offers to attach."""
    return list(file_list(actor=actor, state=File.State.READY)[:limit])


def file_ready_list(*, actor: Actor, file_ids: Collection[UUID]) -> list[File]:
    """The files among `file_ids` that the actor sees and that are ready (scanned, with
    their images made): what a post or product may show."""
    files = File.objects.filter(pk__in=file_ids, state=File.State.READY).order_by("created_at")
    return [file for file in files if can_see_file(actor, file)]
