"""The S3 server enforces what pre-signed URLs promise: signature and expiry."""

import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings

from apps.core.objectstore import presigned_put_url, s3_client, tenant_key

pytestmark = pytest.mark.django_db


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def key(tenant):
    key = tenant_key(f"tests/{uuid.uuid4()}.txt", schema_name=tenant.schema_name)
    yield key
    s3_client().delete_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key)


def stored(key: str) -> bytes | None:
    try:
        obj = s3_client().get_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key)
    except s3_client().exceptions.NoSuchKey:
        return None
    return obj["Body"].read()


def test_tenant_keys_are_prefixed_by_tenant(tenant):
    assert tenant_key("a/b.jpg", schema_name=tenant.schema_name) == (
        f"{settings.KURA_OBJECT_KEY_PREFIX}/{tenant.schema_name}/a/b.jpg"
    )


def test_presigned_put_stores_the_object(key):
    response = requests.put(presigned_put_url(key), data=b"hello kura", timeout=10)
    assert response.status_code == 200
    assert stored(key) == b"hello kura"


def test_tampered_signature_is_refused(key):
    url = presigned_put_url(key)
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    response = requests.put(with_query(url, **{"X-Amz-Signature": flipped}), data=b"x", timeout=10)
    assert response.status_code == 403
    assert stored(key) is None


def test_url_moved_to_another_key_is_refused(key):
    url = presigned_put_url(key)
    other = url.replace(key, key.replace("tests/", "elsewhere/"))
    assert other != url
    response = requests.put(other, data=b"x", timeout=10)
    assert response.status_code == 403


def test_lengthened_expiry_is_refused(key):
    url = presigned_put_url(key, expires_in=60)
    response = requests.put(with_query(url, **{"X-Amz-Expires": "604800"}), data=b"x", timeout=10)
    assert response.status_code == 403
    assert stored(key) is None


def test_expired_url_is_refused(key):
    url = presigned_put_url(key, expires_in=1)
    time.sleep(2.1)
    response = requests.put(url, data=b"late", timeout=10)
    assert response.status_code == 403
    assert stored(key) is None
