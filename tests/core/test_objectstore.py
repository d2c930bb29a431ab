"""The S3 server enforces what pre-signed URLs promise: signature and expiry."""

import re
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


# Without a signature: what anyone on the network gets (scripts/services/s3.sh keeps the
# bucket private).


def unsigned_get(path: str, **params: str) -> requests.Response:
    url = f"{settings.AWS_S3_ENDPOINT_URL}/{settings.AWS_STORAGE_BUCKET_NAME}/{path}"
    return requests.get(url, params=params, timeout=10)


def s3_error_code(response: requests.Response) -> str:
    """The code of S3's error document, which is all the body may hold: no stack trace, no
    path, no server internals."""
    assert response.headers["Content-Type"].startswith("application/xml")
    document = re.fullmatch(
        r"<\?xml [^>]*\?><Error><Code>(\w+)</Code><Message>[\w .,-]*</Message>"
        r"<RequestId>[0-9A-F]+</RequestId></Error>",
        response.text,
    )
    assert document is not None, response.text[:1000]
    return document[1]


def test_an_unsigned_listing_of_the_bucket_is_refused(key):
    s3_client().put_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key, Body=b"secret")
    for params in ({}, {"prefix": f"{settings.KURA_OBJECT_KEY_PREFIX}/"}, {"list-type": "2"}):
        response = unsigned_get("", **params)
        assert response.status_code == 403
        assert s3_error_code(response) == "AccessDenied"


def test_an_unsigned_get_of_an_object_is_refused(key):
    s3_client().put_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key, Body=b"secret")
    response = unsigned_get(key)
    assert response.status_code == 403
    assert s3_error_code(response) == "AccessDenied"
    assert requests.head(response.url, timeout=10).status_code == 403


def test_an_error_names_no_internals(key):
    """A key under an object's key is a path under a file on the store's disk: the server
    fails, and says no more than S3 would (no stack trace, no path, no server version)."""
    s3_client().put_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key, Body=b"secret")
    response = unsigned_get(f"{key}/under")
    assert response.status_code == 500
    assert s3_error_code(response) == "InternalError"
    assert "jetty" not in response.headers.get("Server", "").lower()
