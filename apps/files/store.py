"""The object store as files use it: where a file's objects live, pre-signed URLs for the
browser, and the few S3 calls the services make (apps.core.objectstore holds the client).

A file's keys are made from its id under the tenant's prefix, never from its name. The
quarantine, `incoming/`, holds what is not scanned yet: `incoming/<id>`, where the upload
lands (its one pre-signed PUT, or its multipart upload), and `incoming/<id>.checked`, the
copy of a PUT's object that its completion checks and everything after reads (no URL is
ever signed for it: a pre-signed PUT cannot be revoked and stays good on its key until it
expires). Then `files/<id>` once scanned clean, `display/<id>-<digest>.jpg` and
`thumbs/<id>-<digest>.jpg` for the previews (`display/<id>.jpg` and `thumbs/<id>.jpg` for
files derived before previews were cached; still served). (S3Proxy's filesystem store
cannot have a key that is also a prefix, so no key here is a folder of another.)
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils.http import content_disposition_header

from apps.core.objectstore import s3_client, tenant_key

# What the store answers for an upload id it does not have (aborted, completed, never was).
NO_UPLOAD = {"NoSuchUpload", "NoSuchKey", "404"}
NO_OBJECT = {"NoSuchKey", "404", "NotFound"}
# How a store call fails: the store answered an error (ClientError), or no answer came
# (BotoCoreError: connection refused or cut, read timeout), after the client's retries.
FAILURES = (ClientError, BotoCoreError)
# Every call is tried this many times in all when it fails for a passing reason (botocore's
# standard retry mode, 50 ms backoff doubling with jitter): a page's resume or completion
# rides out a dropped connection or a restarting store.
ATTEMPTS = 4


@dataclass(frozen=True)
class Part:
    number: int
    size: int
    etag: str


@dataclass(frozen=True)
class PendingUpload:
    key: str
    upload_id: str
    initiated: datetime


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    last_modified: datetime


def _client() -> BaseClient:
    return s3_client(attempts=ATTEMPTS)


def _bucket() -> str:
    return str(settings.AWS_STORAGE_BUCKET_NAME)


def error_code(exc: ClientError) -> str:
    """The store's error code (NoSuchUpload, InvalidPart...)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def incoming_key(file_id: UUID, *, schema_name: str | None = None) -> str:
    return tenant_key(f"incoming/{file_id}", schema_name=schema_name)


def checked_key(file_id: UUID, *, schema_name: str | None = None) -> str:
    return tenant_key(f"incoming/{file_id}.checked", schema_name=schema_name)


def served_key(file_id: UUID, *, schema_name: str | None = None) -> str:
    return tenant_key(f"files/{file_id}", schema_name=schema_name)


def display_key(file_id: UUID, *, schema_name: str | None = None) -> str:
    return tenant_key(f"display/{file_id}.jpg", schema_name=schema_name)


def thumbnail_key(file_id: UUID, *, schema_name: str | None = None) -> str:
    return tenant_key(f"thumbs/{file_id}.jpg", schema_name=schema_name)


def file_keys(file_id: UUID) -> list[str]:
    """Every object a file can have in the store: where it was uploaded to, its checked and
    served copies and its two derivatives (deleting a file or a rejected upload removes them
    all)."""
    return [
        incoming_key(file_id),
        checked_key(file_id),
        served_key(file_id),
        display_key(file_id),
        thumbnail_key(file_id),
    ]


def incoming_prefix(*, schema_name: str | None = None) -> str:
    return tenant_key("incoming/", schema_name=schema_name)


# --- URLs for the browser -----------------------------------------------------------------


def _presign(operation: str, params: dict[str, Any], expires_in: int) -> str:
    url = _client().generate_presigned_url(
        operation, Params={"Bucket": _bucket(), **params}, ExpiresIn=expires_in
    )
    return str(url)


def put_url(*, key: str, content_type: str, length: int, expires_in: int) -> str:
    """One PUT of exactly `length` bytes of `content_type`: both are signed in, so the store
    refuses a body of another length or type."""
    params = {"Key": key, "ContentType": content_type, "ContentLength": length}
    return _presign("put_object", params, expires_in)


def part_url(
    *, key: str, upload_id: str, number: int, length: int, md5: str | None, expires_in: int
) -> str:
    """One part of a multipart upload, its length (and MD5, when the client gave it) signed
    in: the store refuses a longer part, and a corrupted one (BadDigest)."""
    params: dict[str, Any] = {
        "Key": key,
        "UploadId": upload_id,
        "PartNumber": number,
        "ContentLength": length,
    }
    if md5 is not None:
        params["ContentMD5"] = md5
    return _presign("upload_part", params, expires_in)


def get_url(*, key: str, expires_in: int, content_type: str, filename: str | None = None) -> str:
    """A GET of the object answered with our type, never kept by a cache, and, with
    `filename`, as an attachment (a browser saves it rather than showing it)."""
    params: dict[str, Any] = {
        "Key": key,
        "ResponseContentType": content_type,
        "ResponseCacheControl": "private, no-store",
    }
    if filename is not None:
        params["ResponseContentDisposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
    return _presign("get_object", params, expires_in)


# --- calls --------------------------------------------------------------------------------


def multipart_create(*, key: str, content_type: str) -> str:
    answer = _client().create_multipart_upload(Bucket=_bucket(), Key=key, ContentType=content_type)
    return str(answer["UploadId"])


def parts_list(*, key: str, upload_id: str) -> list[Part] | None:
    """The parts the store holds for the upload, in order; None when it has no such upload
    (aborted, completed, or lost).

    S3 answers NoSuchUpload for an upload it does not have; S3Proxy lists no parts. So an
    empty listing is confirmed by the store's list of uploads in progress."""
    parts: list[Part] = []
    marker = 0
    while True:
        try:
            answer = _client().list_parts(
                Bucket=_bucket(), Key=key, UploadId=upload_id, PartNumberMarker=marker
            )
        except ClientError as exc:
            if error_code(exc) in NO_UPLOAD:
                return None
            raise
        parts += [
            Part(number=int(p["PartNumber"]), size=int(p["Size"]), etag=str(p["ETag"]))
            for p in answer.get("Parts", [])
        ]
        if not answer.get("IsTruncated"):
            break
        marker = int(answer["NextPartNumberMarker"])
    if not parts and not any(
        u.upload_id == upload_id and u.key == key for u in multipart_pending(prefix=key)
    ):
        return None
    return parts


def multipart_complete(*, key: str, upload_id: str, parts: list[Part]) -> None:
    _client().complete_multipart_upload(
        Bucket=_bucket(),
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in parts]},
    )


def multipart_abort(*, key: str, upload_id: str) -> bool:
    """Abort the upload and drop its parts; False if the store had no such upload."""
    try:
        _client().abort_multipart_upload(Bucket=_bucket(), Key=key, UploadId=upload_id)
    except ClientError as exc:
        if error_code(exc) in NO_UPLOAD:
            return False
        raise
    return True


def multipart_pending(*, prefix: str) -> Iterator[PendingUpload]:
    """Multipart uploads begun and not finished under `prefix`."""
    paginator = _client().get_paginator("list_multipart_uploads")
    for page in paginator.paginate(Bucket=_bucket(), Prefix=prefix):
        for upload in page.get("Uploads", []):
            yield PendingUpload(
                key=upload["Key"], upload_id=upload["UploadId"], initiated=upload["Initiated"]
            )


def objects(*, prefix: str) -> Iterator[StoredObject]:
    paginator = _client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=_bucket(), Prefix=prefix):
        for obj in page.get("Contents", []):
            yield StoredObject(
                key=obj["Key"], size=int(obj["Size"]), last_modified=obj["LastModified"]
            )


def head(key: str) -> tuple[int, str] | None:
    """(size, ETag) of the object, or None if there is none."""
    try:
        answer = _client().head_object(Bucket=_bucket(), Key=key)
    except ClientError as exc:
        if error_code(exc) in NO_OBJECT:
            return None
        raise
    return int(answer["ContentLength"]), str(answer.get("ETag", ""))


def read(key: str, *, start: int = 0, end: int | None = None) -> BinaryIO:
    """A stream of the object's bytes from `start` to `end` (exclusive; None: to its end)."""
    byte_range = f"bytes={start}-{'' if end is None else end - 1}"
    answer = _client().get_object(Bucket=_bucket(), Key=key, Range=byte_range)
    return cast(BinaryIO, answer["Body"])


def put(*, key: str, body: bytes, content_type: str) -> None:
    _client().put_object(Bucket=_bucket(), Key=key, Body=body, ContentType=content_type)


def copy(*, source: str, target: str) -> None:
    """Copy within the bucket in one call (S3 takes up to 5 GiB so; the plan limit)."""
    _client().copy_object(
        Bucket=_bucket(), Key=target, CopySource={"Bucket": _bucket(), "Key": source}
    )


def delete(*keys: str) -> None:
    """Delete the objects; keys without one are fine."""
    wanted = [{"Key": key} for key in dict.fromkeys(keys) if key]
    for start in range(0, len(wanted), 1000):
        answer = _client().delete_objects(
            Bucket=_bucket(), Delete={"Objects": wanted[start : start + 1000], "Quiet": True}
        )
        errors = [e for e in answer.get("Errors", []) if e.get("Code") not in NO_OBJECT]
        if errors:
            raise RuntimeError(f"the store did not delete {errors}")


# --- derivatives behind a CDN (issue 20) --------------------------------------------------
# A display image or thumbnail is never changed under its key (the key holds a digest of its
# bytes), so it is stored to be cached for a year; see README, "Putting a CDN in front".
IMMUTABLE = "public, max-age=31536000, immutable"


def derivative_key(file_id: UUID, *, kind: str, body: bytes) -> str:
    """`display/<id>-<digest>.jpg` or `thumbs/<id>-<digest>.jpg`: new bytes, a new key."""
    folder = {"display": "display", "thumbnail": "thumbs"}[kind]
    digest = hashlib.sha256(body).hexdigest()[:24]
    return tenant_key(f"{folder}/{file_id}-{digest}.jpg")


def put_immutable(*, key: str, body: bytes, content_type: str) -> None:
    s3_client().put_object(
        Bucket=_bucket(), Key=key, Body=body, ContentType=content_type, CacheControl=IMMUTABLE
    )


def derivative_url(*, key: str, expires_in: int) -> str:
    """A pre-signed GET of a derivative whose path is the same every time it is signed: only
    the query (the X-Amz-* signature) changes, so a CDN caches by path. With
    FILES_DERIVATIVES_URL the URL names the CDN instead of the store; the CDN sends the
    request on to the store as it is, with the store's Host, which the signature covers."""
    url = _presign("get_object", {"Key": key}, expires_in)
    base = settings.FILES_DERIVATIVES_URL
    if not base:
        return url
    signed = urlsplit(url)
    cdn = urlsplit(base)
    return urlunsplit((cdn.scheme, cdn.netloc, signed.path, signed.query, ""))
