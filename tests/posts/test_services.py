"""Posts' services: mentions, attachments, the state changes of scheduled posts and drafts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.posts.errors import PostStateError
from apps.posts.models import Post
from apps.posts.services import (
    mention_handles,
    post_create,
    post_publish_due,
    post_reschedule,
    post_schedule,
    post_update,
)
from tests.accounts.factories import MembershipFactory
from tests.files.factories import ready_file, store_left_clean, uploading_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "handles"),
    [
        ("@hanako こんにちは", ["hanako"]),
        ("cc @Hanako@Example.com.", ["hanako@example.com"]),
        ("@taro, @taro と @jiro.", ["taro", "jiro"]),
        ("mail me at taro@example.com", []),  # an address is not a mention
        ("x@@y @ alone", []),
        ("(@花子)", ["花子"]),
    ],
)
def test_mention_handles(body, handles):
    assert mention_handles(body) == handles


@pytest.fixture
def actor(member) -> Principal:
    return Principal.of_membership(member)


def in_an_hour():
    return timezone.now() + timedelta(hours=1)


def test_attachments_are_ready_files_of_the_company(tenant, member, actor):
    with store_left_clean(tenant):
        ready = ready_file(tenant, member)
        waiting = uploading_file(tenant, member)
        with schema_context(tenant.schema_name):
            post = post_create(tenant=tenant, actor=actor, body="見て", attachment_ids=[ready.pk])
            assert list(post.attachments.all()) == [ready]
            with pytest.raises(ValidationError) as refused, translation.override("en"):
                post_create(
                    tenant=tenant, actor=actor, body="x", attachment_ids=[ready.pk, waiting.pk]
                )
            assert refused.value.message_dict == {
                "attachment_ids": ["Attach files of this company that are ready (scanned)."]
            }
            assert Post.objects.count() == 1


def test_an_edit_notifies_only_people_newly_mentioned(tenant, member, actor):
    hanako = MembershipFactory(tenant=tenant, user__email="hanako@example.com")
    jiro = MembershipFactory(tenant=tenant, user__email="jiro@example.com")
    with schema_context(tenant.schema_name):
        post = post_create(tenant=tenant, actor=actor, body="@hanako @" + member.user.email)
        post_update(tenant=tenant, post=post, actor=actor, body="@hanako @jiro")
        post_update(tenant=tenant, post=post, actor=actor, body="@hanako @jiro!")
        notified = list(
            Notification.objects.filter(kind="mention")
            .order_by("id")
            .values_list("user_id", flat=True)
        )
    assert notified == [hanako.user_id, jiro.user_id]  # never the author, never twice


def test_a_draft_is_not_published_nor_mentioned_until_published(tenant, member, actor):
    hanako = MembershipFactory(tenant=tenant, user__email="hanako@example.com")
    with schema_context(tenant.schema_name):
        draft = post_create(tenant=tenant, actor=actor, body="@hanako 下書き", draft=True)
        assert not Notification.objects.exists()
        post = post_reschedule(tenant=tenant, post=draft, actor=actor, publish_at=in_an_hour())
        assert post.state == "scheduled"
        job = Job.objects.get(pk=post.job_id)
        assert (job.state, job.run_at) == ("scheduled", post.publish_at)
        published = post_update(tenant=tenant, post=post, actor=actor, publish=True)
        assert published.state == "published"
        job.refresh_from_db()
        assert job.state == "cancelled"  # published by hand: the job stands down
        assert list(Notification.objects.values_list("user_id", flat=True)) == [hanako.user_id]


def test_the_job_publishes_only_a_post_still_scheduled(tenant, member, actor):
    with schema_context(tenant.schema_name):
        post = post_schedule(tenant=tenant, actor=actor, body="x", publish_at=in_an_hour())
        Post.objects.filter(pk=post.pk).update(state="cancelled")
        post_publish_due(tenant=tenant, post_id=post.pk)
        post.refresh_from_db()
        assert (post.state, post.published_at) == ("cancelled", None)
        post_publish_due(tenant=tenant, post_id=post.pk + 1000)  # gone: nothing to do


def test_a_cancelled_post_stays_cancelled(tenant, member, actor):
    with schema_context(tenant.schema_name):
        post = post_schedule(tenant=tenant, actor=actor, body="x", publish_at=in_an_hour())
        Post.objects.filter(pk=post.pk).update(state="cancelled")
        for change in (
            lambda: post_update(tenant=tenant, post=post, actor=actor, body="y"),
            lambda: post_reschedule(tenant=tenant, post=post, actor=actor, publish_at=in_an_hour()),
        ):
            with pytest.raises(PostStateError):
                change()
