"""Uploads end to end with a real Celery worker and beat: the scan and derivatives jobs go
through the delayed queue as in production."""

import io

import pytest
import requests
from django_tenants.utils import schema_context
from PIL import Image

from apps.files.models import File
from apps.notifications.models import Notification
from tests.files import samples
from tests.files.uploading import upload
from tests.jobs.conftest import wait_until

pytestmark = pytest.mark.usefixtures(
    "committed_files", "celery_worker_process", "celery_beat_process"
)


def state_of(tenant, file_id) -> str:
    with schema_context(tenant.schema_name):
        return File.objects.values_list("state", flat=True).get(pk=file_id)


def test_eicar_is_found_by_the_worker_the_uploader_notified(tenant, committed_person, client_of):
    client = client_of(committed_person)
    file_id = upload(client, samples.EICAR, name="eicar.txt").json()["id"]
    wait_until(lambda: state_of(tenant, file_id) == "infected", 20, "the scan")
    with schema_context(tenant.schema_name):
        notes = list(
            Notification.objects.filter(user=committed_person.user).values_list("kind", flat=True)
        )
    assert notes == ["file_infected"]
    detail = client.get(f"/api/files/{file_id}").json()
    assert (detail["state"], detail["display_url"], detail["thumbnail_url"]) == (
        "infected",
        None,
        None,
    )
    assert client.get(f"/api/files/{file_id}/download").status_code == 409


def test_a_photo_is_ready_with_its_pictures_seconds_after_it_lands(
    tenant, committed_person, client_of
):
    client = client_of(committed_person)
    photo = samples.jpeg((4000, 3000))  # 12 megapixels
    file_id = upload(client, photo, name="DSC_0042.jpg", content_type="image/jpeg").json()["id"]
    wait_until(lambda: state_of(tenant, file_id) == "ready", 20, "the scan and derivatives")
    detail = client.get(f"/api/files/{file_id}").json()
    assert (detail["width"], detail["height"]) == (4000, 3000)
    display = Image.open(io.BytesIO(requests.get(detail["display_url"], timeout=10).content))
    thumbnail = Image.open(io.BytesIO(requests.get(detail["thumbnail_url"], timeout=10).content))
    assert (display.size, thumbnail.size) == ((800, 600), (200, 200))
