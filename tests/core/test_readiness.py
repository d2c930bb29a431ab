"""/healthz and /readyz against the real services (and one made unreachable)."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from apps.core.objectstore import s3_client
from apps.core.readiness import CHECKS, check_object_store, readiness

pytestmark = pytest.mark.django_db

CLOSED_PORT = 9  # discard: nothing listens on loopback


def test_healthz_answers_on_any_host(client):
    for host in ("localhost", "acme.localhost", "10.0.0.7", "nobody.localhost"):
        response = client.get("/healthz", HTTP_HOST=host)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


@pytest.mark.usefixtures("celery_worker_process")
def test_readyz_is_200_when_every_dependency_answers(client):
    response = client.get("/readyz", HTTP_HOST="localhost")
    body = response.json()
    assert body["checks"] == dict.fromkeys(CHECKS, "ok")
    assert response.status_code == 200
    assert body["failing"] == []


@pytest.mark.parametrize(
    ("override", "failing"),
    [
        ({"CLAMD_PORT": CLOSED_PORT}, "clamd"),
        ({"ELASTICSEARCH_URL": f"http://127.0.0.1:{CLOSED_PORT}"}, "elasticsearch"),
        ({"AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{CLOSED_PORT}"}, "object_store"),
        ({"AWS_STORAGE_BUCKET_NAME": "no-such-bucket"}, "object_store"),
    ],
)
@pytest.mark.usefixtures("celery_worker_process")
def test_readyz_is_503_naming_what_is_unreachable(client, override, failing):
    with override_settings(**override):
        response = client.get("/readyz", HTTP_HOST="localhost")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["failing"] == [failing]
    assert body["checks"][failing].startswith("error: ")


@pytest.fixture
def bucket():
    """Makes a bucket of this test's own, private or public-read (an AllUsers READ grant:
    anyone may list it), and deletes it afterwards."""
    made = []

    def make(acl: str) -> str:
        name = f"kura-test{settings.TEST_SLOT}-{acl}-{uuid.uuid4().hex[:8]}"
        s3_client().create_bucket(Bucket=name, ACL=acl)
        made.append(name)
        return name

    yield make
    for name in made:
        s3_client().delete_bucket(Bucket=name)


def test_the_object_store_check_fails_against_a_public_bucket(bucket):
    public = bucket("public-read")
    with override_settings(AWS_STORAGE_BUCKET_NAME=public):
        with pytest.raises(RuntimeError) as failed:
            check_object_store()
        state = readiness()["object_store"]
    reason = f"bucket {public} is public: it answers an unsigned listing"
    assert str(failed.value) == reason
    assert state == f"error: RuntimeError: {reason}"


def test_the_object_store_check_passes_against_a_private_bucket(bucket):
    with override_settings(AWS_STORAGE_BUCKET_NAME=bucket("private")):
        check_object_store()
        assert readiness()["object_store"] == "ok"
