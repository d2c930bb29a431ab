"""Reads on files. Everyone in the company sees its files; an upload in progress is reached
for its parts, completion or abort by its uploader only."""

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet, Sum
from django_tenants.utils import schema_context
from psycopg import sql

from apps.accounts.principal import Principal
from apps.core.pagination import NumberedPage, numbered_page
from apps.files import store
from apps.files.models import STORED_OR_COMING, File
from apps.files.policies import can_see_file, is_uploader
from apps.tenants.models import Tenant


def file_list(
    *, principal: Principal, state: str | None = None, type_: str | None = None
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


def file_page(*, principal: Principal, page: int = 1, size: int = PAGE_SIZE) -> NumberedPage[File]:
    """One page of the files page's grid."""
    return numbered_page(file_list(principal=principal), number=page, size=size)


def image_url(*, file: File, key: str) -> str | None:
    """A ready image's thumbnail or display image (`key`): a pre-signed GET that expires
    soon, so a link copied out of a page stops working; None for anything else."""
    if file.state != File.State.READY or not key:
        return None
    return store.get_url(
        key=key, expires_in=settings.FILES_DOWNLOAD_EXPIRE, content_type="image/jpeg"
    )


def file_get(*, principal: Principal, file_id: UUID) -> File | None:
    file = File.objects.select_related("uploader").filter(pk=file_id).first()
    return file if file is not None and can_see_file(principal, file) else None


def upload_get(*, principal: Principal, file_id: UUID) -> File | None:
    """The caller's own upload (someone else's is not found)."""
    file = File.objects.select_related("uploader").filter(pk=file_id).first()
    return file if file is not None and is_uploader(principal, file) else None


def storage_used() -> int:
    """Bytes of the current company's files stored, and still uploading (quota counts both)."""
    total = File.objects.filter(state__in=STORED_OR_COMING).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def storage_held() -> int:
    """Bytes of the current company's quota held by uploads not finished yet."""
    uploading = File.objects.filter(state=File.State.UPLOADING)
    return int(uploading.aggregate(total=Sum("size"))["total"] or 0)


def open_upload_count(*, principal: Principal) -> int:
    """Uploads `principal` began and has not completed or aborted."""
    uploads = File.objects.filter(state=File.State.UPLOADING)
    if principal.membership is not None:
        return uploads.filter(uploader_id=principal.membership.user_id).count()
    if principal.api_key is not None:
        return uploads.filter(api_key_id=principal.api_key.pk).count()
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


def file_ready_newest(*, principal: Principal, limit: int) -> list[File]:
    """The newest `limit` ready files: what a composer offers to attach."""
    return list(file_list(principal=principal, state=File.State.READY)[:limit])


def file_ready_list(*, principal: Principal | None, file_ids: Collection[UUID]) -> list[File]:
    """The files among `file_ids` that `principal` sees (None: an operator sees all) and
    that are ready (scanned, with their images made): what a post or product may show."""
    files = File.objects.filter(pk__in=file_ids, state=File.State.READY).order_by("created_at")
    return [file for file in files if principal is None or can_see_file(principal, file)]
