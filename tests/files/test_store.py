"""What the S3 server here (S3Proxy 4.1) does with the calls uploads rely on, checked for
real: a part whose Content-MD5 does not match is refused, signed lengths hold, ListParts
resumes, and its quirks the services allow for; and the test run's bucket."""

import base64
import hashlib
import uuid

import pytest
import requests
from botocore.exceptions import ClientError
from django.conf import settings

from apps.core.objectstore import s3_client, tenant_key
from apps.files import store

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - S3's Content-MD5


@pytest.fixture
def upload(tenant):
    key = tenant_key(f"incoming/{uuid.uuid4()}", schema_name=tenant.schema_name)
    upload_id = store.multipart_create(key=key, content_type="application/octet-stream")
    yield key, upload_id
    store.multipart_abort(key=key, upload_id=upload_id)
    store.delete(key)


def part_url(key: str, upload_id: str, number: int, length: int, md5: str | None = None) -> str:
    return store.part_url(
        key=key, upload_id=upload_id, number=number, length=length, md5=md5, expires_in=60
    )


def test_a_part_whose_content_md5_does_not_match_is_refused(upload):
    key, upload_id = upload
    data = b"a" * (5 * MIB)
    url = part_url(key, upload_id, 1, len(data), md5(data))
    corrupted = requests.put(url, data=b"b" + data[1:], headers={"Content-MD5": md5(data)})
    assert corrupted.status_code == 400
    assert "<Code>BadDigest</Code>" in corrupted.text
    assert store.parts_list(key=key, upload_id=upload_id) == []
    good = requests.put(url, data=data, headers={"Content-MD5": md5(data)})
    assert good.status_code == 200
    assert good.headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'  # noqa: S324


def test_content_md5_is_checked_even_where_it_was_not_signed(upload):
    key, upload_id = upload
    data = b"c" * 1000
    url = part_url(key, upload_id, 1, len(data))
    wrong = requests.put(url, data=data, headers={"Content-MD5": md5(b"other")})
    assert wrong.status_code == 400
    assert "<Code>BadDigest</Code>" in wrong.text


def test_a_signed_content_md5_must_be_sent(upload):
    key, upload_id = upload
    data = b"d" * 1000
    response = requests.put(part_url(key, upload_id, 1, len(data), md5(data)), data=data)
    assert response.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_list_parts_gives_what_the_store_has(upload):
    key, upload_id = upload
    for number, fill in ((1, b"x"), (3, b"z")):
        data = fill * (5 * MIB)
        assert requests.put(part_url(key, upload_id, number, len(data)), data=data).ok
    parts = store.parts_list(key=key, upload_id=upload_id)
    assert [(p.number, p.size) for p in parts] == [(1, 5 * MIB), (3, 5 * MIB)]
    assert parts[0].etag == f'"{hashlib.md5(b"x" * 5 * MIB).hexdigest()}"'  # noqa: S324


def test_quirks_the_services_allow_for(upload):
    """Unlike S3, S3Proxy lists no parts (rather than NoSuchUpload) for an upload it has
    completed or aborted, and answers NoSuchKey to completing one twice: parts_list
    confirms an empty listing against the uploads in progress, so it answers None (no such
    upload) as on S3, and the services go by the database's state and the object."""
    key, upload_id = upload
    data = b"q" * 100
    assert requests.put(part_url(key, upload_id, 1, len(data)), data=data).ok
    store.multipart_complete(
        key=key, upload_id=upload_id, parts=store.parts_list(key=key, upload_id=upload_id)
    )
    assert store.head(key)[0] == 100
    listing = s3_client().list_parts(
        Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=key, UploadId=upload_id
    )
    assert listing.get("Parts", []) == []
    assert store.parts_list(key=key, upload_id=upload_id) is None
    assert store.multipart_abort(key=key, upload_id=upload_id) is False


def test_parts_list_tells_an_upload_without_parts_from_one_the_store_does_not_have(upload):
    key, upload_id = upload
    assert store.parts_list(key=key, upload_id=upload_id) == []
    assert store.multipart_abort(key=key, upload_id=upload_id) is True
    assert store.parts_list(key=key, upload_id=upload_id) is None
    assert store.parts_list(key=key, upload_id="no-such-upload") is None


def test_the_run_has_its_own_private_bucket():
    """Made for the run's slot (tests/conftest.py), apart from development's `kura`; made
    through the API, it is as private as the one scripts/services/s3.sh makes."""
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    assert bucket == f"kura-test-{settings.TEST_SLOT}"
    assert s3_client().head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as refused:
        s3_client(unsigned=True).list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    unsigned = requests.get(f"{settings.AWS_S3_ENDPOINT_URL}/{bucket}?max-keys=1", timeout=5)
    assert unsigned.status_code == 403


def test_s3proxy_keeps_a_part_sent_after_completion_aside(upload):
    """S3 refuses a part for an upload it completed (NoSuchUpload): the part URLs die with
    the upload id. S3Proxy 4.1's filesystem store takes it (200) and keeps it where no
    listing and no completion reach it: the object stays the one completed
    (tests/files/test_uploads.py: and the file the one checked)."""
    key, upload_id = upload
    url = part_url(key, upload_id, 1, 100)
    assert requests.put(url, data=b"q" * 100).ok
    store.multipart_complete(
        key=key, upload_id=upload_id, parts=store.parts_list(key=key, upload_id=upload_id)
    )
    completed = store.head(key)
    late = requests.put(url, data=b"<" * 100)
    assert late.status_code == 200
    assert store.head(key) == completed
    assert [obj.key for obj in store.objects(prefix=key)] == [key]
    assert store.read(key).read() == b"q" * 100
