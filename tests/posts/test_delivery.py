"""Scheduled posts on the real delayed queue: a worker and two beats."""

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.posts.models import Post
from apps.posts.services import post_cancel, post_schedule
from tests import processes
from tests.accounts.factories import MembershipFactory
from tests.conftest import COMMITTED_DOMAIN
from tests.jobs.conftest import job_state, wait_until

pytestmark = pytest.mark.usefixtures("celery_worker_process", "celery_beat_process")


@pytest.fixture
def author(committed_person, tenant) -> Iterator[Principal]:
    yield Principal.of_membership(committed_person)
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        Post.objects.all().delete()


@pytest.fixture
def second_beat(celery_env) -> Iterator[None]:
    beat = processes.beat(celery_env, name="beat-2").start()
    yield
    beat.stop()


def test_a_scheduled_post_is_published_once_within_a_second(tenant, author, second_beat):
    hanako = MembershipFactory(tenant=tenant, user__email=f"hanako{COMMITTED_DOMAIN}")
    with schema_context(tenant.schema_name):
        post = post_schedule(
            tenant=tenant,
            actor=author,
            body="朝礼は9時から @hanako",
            publish_at=time_in(2),
        )
    wait_until(lambda: job_state(Job(pk=post.job_id)) == "succeeded", 10, "the publishing job")
    time.sleep(1.5)  # a second publication or notification would have landed by now
    with schema_context(tenant.schema_name):
        post.refresh_from_db()
        assert post.state == "published"
        lateness = (post.published_at - post.publish_at).total_seconds()
        assert 0 <= lateness < 1, lateness
        notes = list(Notification.objects.filter(kind="mention").values_list("user_id", "link"))
    assert notes == [(hanako.user_id, f"/feed/{post.pk}")]
    assert Job.objects.get(pk=post.job_id).attempts == 1


def test_a_post_cancelled_before_its_time_is_never_published(tenant, author):
    with schema_context(tenant.schema_name):
        post = post_schedule(tenant=tenant, actor=author, body="取り消し", publish_at=time_in(2))
        post_cancel(tenant=tenant, post=post, actor=author)
    time.sleep(3)
    assert job_state(Job(pk=post.job_id)) == "cancelled"
    with schema_context(tenant.schema_name):
        post.refresh_from_db()
        assert (post.state, post.published_at) == ("cancelled", None)


def time_in(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)
