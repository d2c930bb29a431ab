"""/healthz and /readyz against the real services (and one made unreachable)."""

import pytest
from django.test import override_settings

from apps.core.readiness import CHECKS

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
