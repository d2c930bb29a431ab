"""The S3-compatible object store: one configured client and tenant-prefixed keys."""

from functools import cache

import boto3
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config
from django.conf import settings

from apps.core.connection import current_schema


@cache
def s3_client(
    *,
    connect_timeout: float = 3,
    read_timeout: float = 30,
    unsigned: bool = False,
    attempts: int = 3,
) -> BaseClient:
    """The store's client; `unsigned` sends no credentials, as anyone on the network could
    (the readiness check proves the bucket refuses them). botocore's standard retry mode
    tries a call `attempts` times in all when it fails for a passing reason (connection
    refused or cut, read timeout, 500/502/503/504, RequestTimeout, throttling)."""
    return boto3.client(
        "s3",
        endpoint_url=settings.AWS_S3_ENDPOINT_URL,
        aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
        aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
        region_name=settings.AWS_S3_REGION_NAME,
        config=Config(
            signature_version=UNSIGNED if unsigned else "s3v4",
            s3={"addressing_style": settings.AWS_S3_ADDRESSING_STYLE},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": attempts, "mode": "standard"},
        ),
    )


def tenant_key(relative: str, *, schema_name: str | None = None) -> str:
    """The object key of `relative` for the current (or given) tenant.

    Every key of a tenant sits under its own prefix, so listing, lifecycle rules and
    clean-up never cross tenants.
    """
    schema = schema_name or current_schema()
    return f"{settings.KURA_OBJECT_KEY_PREFIX}/{schema}/{relative.lstrip('/')}"


def presigned_put_url(key: str, *, expires_in: int | None = None) -> str:
    """A URL a browser can PUT one object to, valid for `expires_in` seconds."""
    return s3_client().generate_presigned_url(
        "put_object",
        Params={"Bucket": settings.AWS_STORAGE_BUCKET_NAME, "Key": key},
        ExpiresIn=expires_in or settings.AWS_QUERYSTRING_EXPIRE,
    )
