"""Operators' admin: each company's published and scheduled posts, its newest posts by
state, deleting one (a scheduled one's job is cancelled too)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.principal import Principal
from apps.audit.models import AuditEntry
from apps.jobs.models import Job
from apps.posts import selectors
from apps.posts.models import Post, TenantFeed
from apps.posts.services import post_create, post_schedule
from tests.accounts.factories import MembershipFactory
from tests.conftest import operator_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    connection.set_schema_to_public()
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    operator_login(client, operator)
    return client


@pytest.fixture
def feeds(tenant, other_tenant, member) -> dict[str, Post]:
    """In `tenant`: two published posts and a scheduled one by `member`, a draft by someone
    without a name; in `other_tenant`: one published post."""
    actor = Principal.of_membership(member)
    nameless = MembershipFactory(tenant=tenant, user__full_name="", user__email="nn@example.com")
    in_an_hour = timezone.now() + timedelta(hours=1)
    with schema_context(tenant.schema_name):
        posts = {
            "first": post_create(tenant=tenant, actor=actor, body="最初の投稿"),
            "second": post_create(tenant=tenant, actor=actor, body="x" * 100),
            "scheduled": post_schedule(
                tenant=tenant, actor=actor, body="予定の投稿", publish_at=in_an_hour
            ),
            "draft": post_create(
                tenant=tenant, actor=Principal.of_membership(nameless), body="下書き", draft=True
            ),
        }
    other = Principal.of_membership(MembershipFactory(tenant=other_tenant))
    with schema_context(other_tenant.schema_name):
        posts["other"] = post_create(tenant=other_tenant, actor=other, body="他社の投稿")
    connection.set_schema_to_public()
    return posts


def _row(html: str, name: str) -> list[str]:
    row = html[html.index(f">{name}<") :].split("</tr>", maxsplit=1)[0]
    return [cell.split(">", 1)[1].split("<")[0] for cell in row.split("<td")[1:]]


def test_companies_with_their_published_and_scheduled_posts(
    operator_client, tenant, other_tenant, feeds
):
    page = operator_client.get("/admin/posts/tenantfeed/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _row(html, tenant.name)[:3] == ["test-alpha", "2", "1"]
    assert _row(html, other_tenant.name)[:3] == ["test-beta", "1", "0"]
    assert f'href="/admin/posts/tenantfeed/{tenant.pk}/posts/"' in html


def test_the_counts_of_every_company_are_one_query(
    tenant, other_tenant, feeds, django_assert_num_queries
):
    with connection.cursor():
        pass  # the connection's schema is set before counting
    with django_assert_num_queries(1):
        counts = selectors.post_counts_by_tenant([tenant, other_tenant])
    assert counts == {
        tenant.pk: selectors.PostCounts(published=2, scheduled=1),
        other_tenant.pk: selectors.PostCounts(published=1, scheduled=0),
    }
    assert selectors.post_counts_by_tenant([]) == {}


def test_a_companys_posts_by_state(operator_client, tenant, feeds, member):
    url = f"/admin/posts/tenantfeed/{tenant.pk}/posts/"
    page = operator_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for body in ["最初の投稿", "予定の投稿", "下書き"]:
        assert f"<td>{body}</td>" in html
    assert f"<td>{'x' * 79}…</td>" in html  # the body truncated
    assert "他社の投稿" not in html
    assert html.count(f"<td>{member.user.full_name}</td>") == 3
    assert html.count("<td>nn@example.com</td>") == 1
    assert html.count('name="post"') == 4

    scheduled = operator_client.get(url, {"state": "scheduled"}).content.decode()
    assert "<td>予定の投稿</td>" in scheduled
    assert scheduled.count('name="post"') == 1
    published = operator_client.get(url, {"state": "published"}).content.decode()
    assert published.count('name="post"') == 2
    assert "予定の投稿" not in published
    # An unknown state lists them all.
    assert operator_client.get(url, {"state": "nope"}).content.decode().count('name="post"') == 4


def test_operators_delete_a_post_and_a_scheduled_ones_job(operator_client, tenant, feeds):
    url = f"/admin/posts/tenantfeed/{tenant.pk}/posts/"
    scheduled = feeds["scheduled"]
    response = operator_client.post(url, {"post": str(scheduled.pk)}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "The post was deleted." in response.content.decode()
    assert Job.objects.get(pk=scheduled.job_id).state == Job.State.CANCELLED

    assert operator_client.post(url, {"post": str(feeds["first"].pk)}).status_code == 302
    with schema_context(tenant.schema_name):
        left = set(Post.objects.values_list("body", flat=True))
    assert left == {"x" * 100, "下書き"}


def test_a_post_being_published_is_not_deleted(operator_client, tenant, feeds):
    url = f"/admin/posts/tenantfeed/{tenant.pk}/posts/"
    scheduled = feeds["scheduled"]
    Job.objects.filter(pk=scheduled.job_id).update(state=Job.State.RUNNING)
    response = operator_client.post(url, {"post": str(scheduled.pk)}, follow=True)
    assert response.status_code == 200
    assert "This post is being published right now." in response.content.decode()
    with schema_context(tenant.schema_name):
        assert Post.objects.filter(pk=scheduled.pk, state=Post.State.SCHEDULED).exists()
    assert Job.objects.get(pk=scheduled.job_id).state == Job.State.RUNNING


def test_a_bad_post_is_not_found(operator_client, tenant, other_tenant, feeds):
    url = f"/admin/posts/tenantfeed/{tenant.pk}/posts/"
    assert operator_client.post(url, {"post": "not-a-number"}).status_code == 404
    with schema_context(tenant.schema_name):
        missing = max(Post.objects.values_list("pk", flat=True)) + 1
    assert operator_client.post(url, {"post": str(missing)}).status_code == 404
    assert operator_client.get("/admin/posts/tenantfeed/0/posts/").status_code == 404


def test_deleting_needs_the_delete_permission_of_posts(tenant, feeds):
    staff = User.objects.create_user("staff@kura.example", "staff-password-123", is_staff=True)
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    operator_login(client, staff)
    url = f"/admin/posts/tenantfeed/{tenant.pk}/posts/"
    assert client.get(url).status_code == 403

    feed_type = ContentType.objects.get_for_model(TenantFeed, for_concrete_model=False)
    staff.user_permissions.add(
        Permission.objects.get(content_type=feed_type, codename="view_tenantfeed")
    )
    staff = User.objects.get(pk=staff.pk)  # permissions are cached on the instance
    operator_login(client, staff)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="post"' not in page.content.decode()
    assert client.post(url, {"post": str(feeds["first"].pk)}).status_code == 403
    with schema_context(tenant.schema_name):
        assert Post.objects.filter(pk=feeds["first"].pk).exists()


def test_the_page_of_a_company_in_japanese(operator_client, other_tenant, feeds):
    url = f"/admin/posts/tenantfeed/{other_tenant.pk}/posts/"
    html = operator_client.get(url, {"state": "draft"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "<title>Beta Inc. の投稿 |" in html
    assert '<td colspan="7">投稿はありません。</td>' in html
    assert "<th>公開予定日時</th>" in html


def test_the_audit_log_names_the_operator_who_deleted_a_draft(operator_client, tenant, feeds):
    """The operator acts as the system (SystemActor), which may delete anyone's draft, and
    the company's log records the operator, not nobody."""
    draft = feeds["draft"]
    url = f"/admin/posts/tenantfeed/{tenant.pk}/posts/"
    assert operator_client.post(url, {"post": str(draft.pk)}).status_code == 302
    entry = AuditEntry.objects.filter(tenant=tenant, action="post.deleted").latest("seq")
    operator = User.objects.get(email="ops@kura.example")
    assert (entry.actor_id, entry.actor_label, entry.target, entry.data) == (
        operator.pk,
        "ops@kura.example",
        f"#{draft.pk}",
        {"author": "nn@example.com", "state": "draft"},
    )
