"""Stale uploads and the quarantine: the beat sweep against the real S3 server, and what the
store answers to a bucket lifecycle configuration."""

import io
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from apps.files import store
from apps.files.models import File
from apps.files.services import SweepCounts, files_sweep_tenant, lifecycle_rules
from apps.files.tasks import files_sweep_task
from tests.files import samples
from tests.files.factories import uploading_file
from tests.files.uploading import initiate, put, sign, tenant_prefix, upload

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


@pytest.fixture
def member_client(member, client_of):
    return client_of(member)


def sweep(tenant, *, after: timedelta) -> SweepCounts:
    with tenant_context(tenant):
        return files_sweep_tenant(tenant=tenant, now=timezone.now() + after)


def the_file(tenant, file_id) -> File:
    with schema_context(tenant.schema_name):
        return File.objects.get(pk=file_id)


def test_the_sweep_aborts_an_abandoned_multipart_upload(tenant, member_client, settings):
    settings.FILES_SINGLE_PUT_MAX_BYTES = 1 * MIB
    settings.FILES_PART_BYTES = 5 * MIB
    ticket = initiate(member_client, name="v.txt", size=6 * MIB).json()
    [one] = sign(member_client, ticket["file_id"], [1]).json()["parts"]
    assert put(one, b"k" * 5 * MIB).status_code == 200
    file = the_file(tenant, ticket["file_id"])
    assert [u.upload_id for u in store.multipart_pending(prefix=file.key)] == [file.upload_id]

    assert sweep(tenant, after=timedelta(hours=23)) == SweepCounts()
    assert the_file(tenant, file.pk).state == "uploading"

    assert sweep(tenant, after=timedelta(hours=25)) == SweepCounts(abandoned=1)
    file = the_file(tenant, file.pk)
    assert (file.state, file.reason) == ("aborted", "Abandoned: not completed within a day.")
    assert list(store.multipart_pending(prefix=file.key)) == []


def test_the_sweep_aborts_uploads_nothing_was_sent_to_within_an_hour(
    tenant, member_client, settings
):
    settings.FILES_SINGLE_PUT_MAX_BYTES = 1 * MIB
    settings.FILES_PART_BYTES = 5 * MIB
    unsent = initiate(member_client, name="unsent.txt", size=10).json()
    sent = initiate(member_client, name="sent.txt", size=len(samples.TEXT)).json()
    assert put(sent, samples.TEXT).status_code == 200
    unsigned = initiate(member_client, name="unsigned.txt", size=6 * MIB).json()
    signed = initiate(member_client, name="signed.txt", size=6 * MIB).json()
    sign(member_client, signed["file_id"], [1, 2])
    arriving = initiate(member_client, name="arriving.txt", size=6 * MIB).json()
    [one] = sign(member_client, arriving["file_id"], [1]).json()["parts"]
    assert put(one, b"k" * 5 * MIB).status_code == 200

    assert sweep(tenant, after=timedelta(minutes=59)) == SweepCounts()
    assert sweep(tenant, after=timedelta(minutes=61)) == SweepCounts(unstarted=3)
    reason = "Abandoned: nothing was sent within 60 minutes."
    states = {
        name: (
            the_file(tenant, ticket["file_id"]).state,
            the_file(tenant, ticket["file_id"]).reason,
        )
        for name, ticket in [
            ("unsent", unsent),
            ("sent", sent),
            ("unsigned", unsigned),
            ("signed", signed),
            ("arriving", arriving),
        ]
    }
    assert states == {
        "unsent": ("aborted", reason),
        "sent": ("uploading", ""),
        "unsigned": ("aborted", reason),
        "signed": ("aborted", reason),
        "arriving": ("uploading", ""),
    }
    file = the_file(tenant, signed["file_id"])
    assert list(store.multipart_pending(prefix=file.key)) == []
    # What arrives stays until FILES_ABANDONED_AFTER_HOURS.
    assert sweep(tenant, after=timedelta(hours=23)) == SweepCounts()


def test_asking_for_part_urls_keeps_an_upload_nothing_reached_yet(tenant, member_client, settings):
    """A client that asks for part URLs is sending: its upload is judged from then."""
    settings.FILES_SINGLE_PUT_MAX_BYTES = 1 * MIB
    settings.FILES_PART_BYTES = 5 * MIB
    ticket = initiate(member_client, name="late.txt", size=6 * MIB).json()
    earlier = timezone.now() - timedelta(hours=2)
    with schema_context(tenant.schema_name):
        File.objects.filter(pk=ticket["file_id"]).update(created_at=earlier, updated_at=earlier)
    assert sign(member_client, ticket["file_id"], [1]).status_code == 200
    assert sweep(tenant, after=timedelta(minutes=50)) == SweepCounts()
    assert sweep(tenant, after=timedelta(minutes=70)) == SweepCounts(unstarted=1)


def test_the_sweep_aborts_multipart_uploads_the_database_does_not_know(tenant):
    with tenant_context(tenant):
        orphan_key = store.incoming_key(uuid.uuid4())
        elsewhere_key = f"{tenant_prefix(tenant)}/other/{uuid.uuid4()}"
    orphan = store.multipart_create(key=orphan_key, content_type="text/plain")
    elsewhere = store.multipart_create(key=elsewhere_key, content_type="text/plain")
    try:
        # Within the grace: it may be an upload whose row has not committed yet.
        assert sweep(tenant, after=timedelta(minutes=30)) == SweepCounts()
        assert sweep(tenant, after=timedelta(hours=2)) == SweepCounts(orphans=1)
        assert list(store.multipart_pending(prefix=orphan_key)) == []
        # Only the quarantine prefix is the sweep's.
        assert [u.upload_id for u in store.multipart_pending(prefix=elsewhere_key)] == [elsewhere]
    finally:
        store.multipart_abort(key=elsewhere_key, upload_id=elsewhere)
        store.multipart_abort(key=orphan_key, upload_id=orphan)


def test_the_sweep_empties_the_quarantine_of_objects_older_than_a_day(
    tenant, member, member_client
):
    waiting = upload(member_client, samples.TEXT).json()["id"]  # its scan never ran
    sent = uploading_file(tenant, member, sent=True)  # not completed
    with tenant_context(tenant):
        stray = store.incoming_key(uuid.uuid4())
    store.put(key=stray, body=b"left behind", content_type="text/plain")

    # An object no upload owns is removed at once; what uploads own stays a day.
    assert sweep(tenant, after=timedelta(hours=20)) == SweepCounts(strays=1)
    assert store.head(stray) is None
    assert store.head(sent.key) is not None
    assert sweep(tenant, after=timedelta(hours=20)) == SweepCounts()
    assert sweep(tenant, after=timedelta(hours=25)) == SweepCounts(abandoned=1, quarantine=1)
    assert store.head(sent.key) is None
    file = the_file(tenant, waiting)
    assert store.head(file.key) is None
    assert (file.state, file.reason) == (
        "rejected",
        "Not scanned within a day; upload the file again.",
    )


def test_the_sweep_task_is_on_beats_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["files-sweep"]
    assert entry == {"task": files_sweep_task.name, "schedule": 3600.0}
    assert files_sweep_task.name == "apps.files.tasks.files_sweep_task"


def test_the_sweep_task_goes_through_every_company(tenant, other_tenant):
    assert files_sweep_task() == {
        "abandoned": 0,
        "unstarted": 0,
        "orphans": 0,
        "quarantine": 0,
        "strays": 0,
    }


def test_lifecycle_rules_have_one_rule_per_company(tenant, other_tenant):
    rules = {rule["ID"]: rule for rule in lifecycle_rules()}
    assert rules[f"kura-incoming-{tenant.schema_name}"] == {
        "ID": f"kura-incoming-{tenant.schema_name}",
        "Filter": {"Prefix": f"{tenant_prefix(tenant)}/incoming/"},
        "Status": "Enabled",
        "Expiration": {"Days": 1},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }
    assert f"kura-incoming-{other_tenant.schema_name}" in rules


def test_storage_lifecycle_says_the_store_has_no_lifecycle_rules(tenant):
    out = io.StringIO()
    call_command("storage_lifecycle", stdout=out)
    printed = out.getvalue()
    assert f'"Prefix": "{tenant_prefix(tenant)}/incoming/"' in printed
    # S3Proxy answers PutBucketLifecycleConfiguration with 501 NotImplemented.
    assert (
        "The store has no lifecycle rules (it answered 501 NotImplemented: A header you "
        "provided implies functionality that is not implemented.); S3Proxy"
    ) in printed
