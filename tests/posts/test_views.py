"""The feed's pages: the composer (post now, schedule in the person's time zone, draft),
errors beside the fields, the feed by cursor with infinite scroll and "N new posts", the
archive by page number, scheduled posts and drafts, one post with its edit and delete
pages, each for the roles that may."""

import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Membership
from apps.accounts.principal import Principal
from apps.core.times import when_text
from apps.files.models import File
from apps.posts import views
from apps.posts.models import Post
from apps.posts.services import post_create, post_schedule
from tests.accounts.factories import MembershipFactory
from tests.accounts.test_views import signed_in
from tests.files.factories import ready_file, store_left_clean
from tests.posts.factories import posts_insert

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
UNKNOWN = "8d7c4b3a-1111-4222-8333-944445555666"


def create(tenant, membership, body: str, **kwargs) -> Post:
    with schema_context(tenant.schema_name):
        return post_create(
            tenant=tenant, actor=Principal.of_membership(membership), body=body, **kwargs
        )


def schedule(tenant, membership, body: str, at: datetime) -> Post:
    with schema_context(tenant.schema_name):
        return post_schedule(
            tenant=tenant, actor=Principal.of_membership(membership), body=body, publish_at=at
        )


def stored(tenant, post_id: int) -> Post | None:
    with schema_context(tenant.schema_name):
        return Post.objects.filter(pk=post_id).first()


def bodies(html: str) -> list[str]:
    return re.findall(r'<div class="post-body" data-testid="post-body">([^<]*)</div>', html)


def cursor_of(html: str) -> str:
    match = re.search(r'hx-get="/feed/more\?cursor=([^"]+)"', html)
    assert match is not None
    return match.group(1)


def in_tokyo(days: int = 1, hour: int = 9) -> datetime:
    day = timezone.localtime(timezone=TOKYO).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TOKYO)


@pytest.fixture
def admin(tenant) -> Membership:
    return MembershipFactory(tenant=tenant, role=Membership.Role.ADMIN)


# The feed and its composer --------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "member"])
def test_people_who_may_post_get_the_composer(tenant, role, request):
    body = signed_in(tenant, request.getfixturevalue(role)).get("/feed").content.decode()
    assert 'data-testid="composer"' in body
    assert '<textarea name="body" cols="40" rows="4" maxlength="10000"' in body
    assert 'data-testid="no-posts"' in body
    assert '<div class="feed-new" hx-get="/feed/new?top=0"' in body


def test_a_viewer_reads_the_feed_without_the_composer(tenant, viewer, member):
    create(tenant, member, "hello")
    client = signed_in(tenant, viewer)
    body = client.get("/feed").content.decode()
    assert 'data-testid="composer"' not in body
    assert "Your role in this company may only read, so you cannot post here." in body
    assert bodies(body) == ["hello"]
    assert 'data-testid="edit"' not in body
    assert client.post("/feed", {"body": "x", "action": "publish"}).status_code == 403


def test_post_now(tenant, member):
    client = signed_in(tenant, member)
    done = client.post("/feed", {"body": "  good morning  ", "action": "publish"})
    assert (done.status_code, done["Location"]) == (302, "/feed")
    with schema_context(tenant.schema_name):
        post = Post.objects.get()
    assert (post.body, post.state, post.author_id) == ("good morning", "published", member.user_id)
    page = client.get("/feed")
    assert [str(m) for m in page.context["messages"]] == ["Posted."]
    html = page.content.decode()
    assert bodies(html) == ["good morning"]
    assert f'<a href="/feed/{post.pk}/edit" data-testid="edit">Edit</a>' in html
    assert f'hx-get="/feed/new?top={post.pk}"' in html


def test_schedule_reads_the_time_in_the_persons_zone(tenant, member):
    member.user.time_zone = "Asia/Tokyo"
    member.user.save(update_fields=["time_zone"])
    at = in_tokyo(days=2, hour=9)
    client = signed_in(tenant, member)
    form = client.get("/feed").content.decode()
    assert "In your time zone, Asia/Tokyo." in form
    done = client.post(
        "/feed", {"body": "meeting", "action": "schedule", "publish_at": f"{at:%Y-%m-%dT09:00}"}
    )
    assert (done.status_code, done["Location"]) == (302, "/feed/scheduled")
    with schema_context(tenant.schema_name):
        post = Post.objects.get()
    assert (post.state, post.publish_at, post.published_at) == ("scheduled", at, None)
    page = client.get("/feed/scheduled")
    assert [str(m) for m in page.context["messages"]] == [f"Post scheduled for {when_text(at)}."]
    assert bodies(client.get("/feed").content.decode()) == []


def test_a_draft_is_kept_for_its_author(tenant, member):
    client = signed_in(tenant, member)
    done = client.post("/feed", {"body": "later", "action": "draft"})
    assert (done.status_code, done["Location"]) == (302, "/feed/scheduled")
    with schema_context(tenant.schema_name):
        assert list(Post.objects.values_list("body", "state")) == [("later", "draft")]


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"body": "", "action": "publish"}, "body", "Write something to post."),
        ({"body": "   ", "action": "draft"}, "body", "Write something to post."),
        (
            {"body": "x" * 10_001, "action": "publish"},
            "body",
            "Ensure this value has at most 10000 characters (it has 10001).",
        ),
        (
            {"body": "x", "action": "schedule", "publish_at": "2020-01-01T09:00"},
            "publish_at",
            "Choose a time in the future.",
        ),
        (
            {"body": "x", "action": "schedule", "publish_at": "2099-01-01T09:00"},
            "publish_at",
            "Posts can be scheduled at most a year ahead.",
        ),
        ({"body": "x", "action": "schedule"}, "publish_at", "Choose a date and time."),
        (
            {"body": "x", "action": "publish", "publish_at": "2099-01-01T09:00"},
            "publish_at",
            "To post at this time, choose “Schedule”; or clear the time.",
        ),
        (
            {"body": "x", "action": "publish", "attachments": UNKNOWN},
            "attachments",
            f"Select a valid choice. {UNKNOWN} is not one of the available choices.",
        ),
    ],
)
def test_bad_input_is_shown_beside_its_field(tenant, member, data, field, error):
    response = signed_in(tenant, member).post("/feed", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    if field != "attachments":  # the picker shows only with files to pick
        html = response.content.decode()
        assert f'<small id="id_{field}-error">{error}</small>' in html
    with schema_context(tenant.schema_name):
        assert not Post.objects.exists()


def test_attachments_are_picked_among_ready_files(tenant, member, viewer):
    with store_left_clean(tenant):
        file = ready_file(tenant, member)
        client = signed_in(tenant, member)
        picker = client.get("/feed").content.decode()
        assert f'<input type="checkbox" name="attachments" value="{file.pk}">' in picker
        done = client.post(
            "/feed", {"body": "the minutes", "action": "publish", "attachments": str(file.pk)}
        )
        assert done.status_code == 302
        with schema_context(tenant.schema_name):
            post = Post.objects.get()
            assert [f.pk for f in post.attachments.all()] == [file.pk]
        feed = signed_in(tenant, viewer).get("/feed").content.decode()
        assert (
            f'<li><a href="/files/{file.pk}"><span class="attachment-name">{file.name}</span>'
            "</a></li>" in feed
        )
        # An image's thumbnail instead of its name (a short-lived URL of the store).
        with schema_context(tenant.schema_name):
            File.objects.filter(pk=file.pk).update(thumbnail_key=f"thumbs/{file.pk}.jpg")
        feed = signed_in(tenant, viewer).get("/feed").content.decode()
        thumbnail = re.search(
            rf'<li><a href="/files/{file.pk}"><img src="([^"]+)" alt="{re.escape(file.name)}" '
            'width="96" height="96" loading="lazy" data-testid="attachment-thumbnail"></a></li>',
            feed,
        )
        assert thumbnail is not None
        assert f"thumbs/{file.pk}.jpg?" in thumbnail.group(1)


def test_bodies_are_escaped_with_links_and_mentions(tenant, member):
    create(tenant, member, "<b>hi</b> see https://example.com/a?b=1 and @hanako.")
    html = signed_in(tenant, member).get("/feed").content.decode()
    assert (
        '<div class="post-body" data-testid="post-body">&lt;b&gt;hi&lt;/b&gt; see '
        '<a href="https://example.com/a?b=1" rel="nofollow">https://example.com/a?b=1</a> and '
        '<span class="mention">@hanako.</span></div>' in html
    )


def test_times_show_their_zone(tenant, member):
    member.user.time_zone = "Asia/Tokyo"
    member.user.save(update_fields=["time_zone"])
    post = create(tenant, member, "hello")
    local = timezone.localtime(post.published_at, TOKYO)
    html = signed_in(tenant, member).get("/feed").content.decode()
    assert (
        f'<time datetime="{local.isoformat(timespec="seconds")}">{local:%Y-%m-%d %H:%M} JST</time>'
        in html
    )


# Infinite scroll and new posts ----------------------------------------------------------


def test_infinite_scroll_loads_the_next_posts_and_the_next_sentinel(tenant, member):
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=45)
    client = signed_in(tenant, member)
    first = client.get("/feed").content.decode()
    assert bodies(first) == [f"post {n}" for n in range(45, 25, -1)]
    cursor = cursor_of(first)
    assert f'<a href="/feed?cursor={cursor}" data-testid="more-posts">More posts</a>' in first
    second = client.get(f"/feed/more?cursor={cursor}").content.decode()
    assert "<html" not in second
    assert bodies(second) == [f"post {n}" for n in range(25, 5, -1)]
    third = client.get(f"/feed/more?cursor={cursor_of(second)}").content.decode()
    assert bodies(third) == [f"post {n}" for n in range(5, 0, -1)]
    assert "feed-sentinel" not in third
    assert "You have reached the oldest post." in third
    # Without JavaScript, "More posts" is the feed page from the cursor on.
    plain = client.get(f"/feed?cursor={cursor}").content.decode()
    assert bodies(plain) == [f"post {n}" for n in range(25, 5, -1)]
    assert "feed-new" not in plain


@pytest.mark.parametrize("cursor", ["garbage", "eyJkIjoibiJ9:1:abc", "x" * 2000])
def test_a_tampered_cursor_is_a_400_fragment_not_a_500(tenant, member, cursor):
    create(tenant, member, "hello")
    client = signed_in(tenant, member)
    more = client.get("/feed/more", {"cursor": cursor})
    assert more.status_code == 400
    assert (
        "The cursor is not valid for this list; start again from the first page."
        in more.content.decode()
    )
    page = client.get("/feed", {"cursor": cursor})
    assert page.status_code == 200
    assert 'data-testid="cursor-error"' in page.content.decode()
    assert bodies(page.content.decode()) == ["hello"]


def test_a_cursor_of_the_api_is_refused_by_the_page(tenant, member, client_of):
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=3)
    api = client_of(member).get("/api/posts", {"limit": 1}).json()
    more = signed_in(tenant, member).get("/feed/more", {"cursor": api["next_cursor"]})
    assert more.status_code == 400


def test_new_posts_are_counted_above_the_top(tenant, member, viewer):
    top = create(tenant, member, "first")
    client = signed_in(tenant, viewer)
    assert client.get(f"/feed/new?top={top.pk}").content == b""
    create(tenant, member, "second")
    one = client.get(f"/feed/new?top={top.pk}").content.decode()
    assert ">1 new post</button>" in one
    assert 'hx-get="/feed" hx-select="#feed" hx-target="#feed"' in one
    create(tenant, member, "third")
    assert ">2 new posts</button>" in client.get(f"/feed/new?top={top.pk}").content.decode()
    assert ">3 new posts</button>" in client.get("/feed/new?top=0").content.decode()
    # A top deleted since, or not a post at all: nothing to say.
    assert client.get("/feed/new?top=999999999").content == b""
    assert client.get("/feed/new?top=abc").content.decode().count("new posts") == 1


def test_new_posts_are_counted_up_to_99(tenant, member):
    top = create(tenant, member, "first")
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=120, start=timezone.now())
    html = signed_in(tenant, member).get(f"/feed/new?top={top.pk}").content.decode()
    assert ">99+ new posts</button>" in html


def test_new_posts_polling_stops_when_signed_out(tenant_client):
    assert tenant_client.get("/feed/new?top=1").status_code == 286


@pytest.mark.parametrize("count", [1, 20])
def test_the_feed_and_more_take_the_same_queries_however_many(
    tenant, member, count, django_assert_num_queries
):
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=count + 20)
    client = signed_in(tenant, member)
    cursor = cursor_of(client.get("/feed").content.decode())
    # The host's tenant and two schema switches, session, person, the posts, their
    # attachments, the picker's files, the unread count.
    with django_assert_num_queries(9):
        assert client.get("/feed").status_code == 200
    # The same without the picker and the bell.
    with django_assert_num_queries(7):
        assert bodies(client.get(f"/feed/more?cursor={cursor}").content.decode()) == [
            f"post {n}" for n in range(count, 0, -1)
        ]


# The archive ----------------------------------------------------------------------------


def test_the_archive_pages_by_number(tenant, member):
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=45)
    client = signed_in(tenant, member)
    first = client.get("/feed/archive").content.decode()
    assert bodies(first) == [f"post {n}" for n in range(45, 25, -1)]
    assert '<p data-testid="archive-total">45 posts · page 1 of 3</p>' in first
    assert '<a href="?page=1" aria-current="page">1</a>' in first
    assert '<a href="?page=3">3</a>' in first
    assert '<a href="?page=2" rel="next">Next</a>' in first
    assert 'rel="prev"' not in first
    last = client.get("/feed/archive?page=3").content.decode()
    assert bodies(last) == [f"post {n}" for n in range(5, 0, -1)]
    assert '<p data-testid="archive-total">45 posts · page 3 of 3</p>' in last
    assert '<a href="?page=2" rel="prev">Previous</a>' in last
    assert 'rel="next"' not in last
    beyond = client.get("/feed/archive?page=9").content.decode()
    assert 'data-testid="archive-past-end"' in beyond
    assert bodies(client.get("/feed/archive?page=abc").content.decode()) == bodies(first)


def test_the_archive_leaves_out_page_numbers_between(tenant, member):
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=200)
    html = signed_in(tenant, member).get("/feed/archive?page=5").content.decode()
    numbers = re.findall(r'<li><a href="\?page=(\d+)"[^>]*>\d+</a></li>', html)
    assert numbers == ["1", "3", "4", "5", "6", "7", "10"]
    assert html.count('<li aria-hidden="true">…</li>') == 2


def test_an_estimated_total_says_about(tenant, member, monkeypatch):
    monkeypatch.setattr(views, "ARCHIVE_EXACT_UP_TO", 30)
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=45)
    response = signed_in(tenant, member).get("/feed/archive")
    page = response.context["page"]
    assert page.total_is_estimate
    assert (
        f'<p data-testid="archive-total">About {page.total} posts · page 1 of about '
        f"{page.total_pages}</p>" in response.content.decode()
    )


def test_an_empty_archive(tenant, viewer):
    html = signed_in(tenant, viewer).get("/feed/archive").content.decode()
    assert "No posts yet. Every published post is kept here, page by page." in html


# Scheduled posts and drafts -------------------------------------------------------------


def test_scheduled_posts_soonest_first_then_drafts(tenant, member):
    later = schedule(tenant, member, "later", timezone.now() + timedelta(days=2))
    soon = schedule(tenant, member, "soon", timezone.now() + timedelta(hours=2))
    draft = create(tenant, member, "a draft", draft=True)
    schedule(tenant, MembershipFactory(tenant=tenant), "not mine", timezone.now() + timedelta(1))
    html = signed_in(tenant, member).get("/feed/scheduled").content.decode()
    assert re.findall(r'data-testid="scheduled-post" data-post="(\d+)"', html) == [
        str(soon.pk),
        str(later.pk),
    ]
    assert re.findall(r'data-testid="draft" data-post="(\d+)"', html) == [str(draft.pk)]
    assert "not mine" not in html


def test_scheduled_page_empty_states(tenant, viewer):
    html = signed_in(tenant, viewer).get("/feed/scheduled").content.decode()
    assert 'data-testid="no-scheduled"' in html
    assert 'data-testid="no-drafts"' in html


def test_reschedule_in_the_persons_zone(tenant, member):
    member.user.time_zone = "Asia/Tokyo"
    member.user.save(update_fields=["time_zone"])
    post = schedule(tenant, member, "meeting", timezone.now() + timedelta(hours=2))
    at = in_tokyo(days=3, hour=18)
    client = signed_in(tenant, member)
    done = client.post(
        "/feed/scheduled",
        {"action": "reschedule", "post": post.pk, f"r{post.pk}-publish_at": f"{at:%Y-%m-%dT%H:%M}"},
    )
    assert (done.status_code, done["Location"]) == (302, "/feed/scheduled")
    assert stored(tenant, post.pk).publish_at == at
    assert [str(m) for m in client.get("/feed/scheduled").context["messages"]] == [
        f"Post rescheduled for {when_text(at)}."
    ]


def test_a_past_reschedule_is_shown_beside_that_posts_time(tenant, member):
    post = schedule(tenant, member, "meeting", timezone.now() + timedelta(hours=2))
    other = schedule(tenant, member, "other", timezone.now() + timedelta(hours=3))
    response = signed_in(tenant, member).post(
        "/feed/scheduled",
        {"action": "reschedule", "post": post.pk, f"r{post.pk}-publish_at": "2020-01-01T09:00"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    error = "Choose a time in the future."
    assert f'<small id="id_r{post.pk}-publish_at-error">{error}</small>' in html
    assert f"id_r{other.pk}-publish_at-error" not in html
    assert stored(tenant, post.pk).publish_at == post.publish_at


def test_cancel_a_scheduled_post(tenant, member):
    post = schedule(tenant, member, "meeting", timezone.now() + timedelta(hours=2))
    client = signed_in(tenant, member)
    html = client.get("/feed/scheduled").content.decode()
    assert 'data-confirm="Cancel this scheduled post? It will not be published."' in html
    done = client.post("/feed/scheduled", {"action": "cancel", "post": post.pk})
    assert done.status_code == 302
    assert stored(tenant, post.pk).state == "cancelled"
    again = client.post("/feed/scheduled", {"action": "cancel", "post": post.pk})
    assert again.status_code == 302
    assert [str(m) for m in client.get("/feed/scheduled").context["messages"]] == [
        "The scheduled post was cancelled.",
        "This post was already Cancelled.",
    ]


def test_publish_a_draft_now(tenant, member):
    draft = create(tenant, member, "ready now", draft=True)
    client = signed_in(tenant, member)
    done = client.post("/feed/scheduled", {"action": "publish", "post": draft.pk})
    assert done.status_code == 302
    assert stored(tenant, draft.pk).state == "published"
    assert bodies(client.get("/feed").content.decode()) == ["ready now"]


def test_someone_elses_scheduled_post_is_not_found(tenant, member, owner):
    post = schedule(tenant, member, "meeting", timezone.now() + timedelta(hours=2))
    response = signed_in(tenant, owner).post(
        "/feed/scheduled", {"action": "cancel", "post": post.pk}
    )
    assert response.status_code == 404
    assert stored(tenant, post.pk).state == "scheduled"


# One post, edit and delete --------------------------------------------------------------


def test_one_post_and_what_is_not_found(tenant, member, viewer, other_tenant):
    outsider = MembershipFactory(tenant=other_tenant)
    post = create(tenant, member, "hello @hanako")
    client = signed_in(tenant, viewer)
    html = client.get(f"/feed/{post.pk}").content.decode()
    assert bodies(html) == []  # the mention is marked up
    assert '<span class="mention">@hanako</span>' in html
    assert client.get(f"/feed/{post.pk + 1}").status_code == 404
    draft = create(tenant, member, "mine", draft=True)
    assert client.get(f"/feed/{draft.pk}").status_code == 404
    connection.set_schema_to_public()
    elsewhere = create(other_tenant, outsider, "theirs")
    with schema_context(tenant.schema_name):
        Post.objects.filter(pk=elsewhere.pk).delete()
    assert client.get(f"/feed/{elsewhere.pk}").status_code == 404


@pytest.mark.parametrize("editor", ["member", "admin", "owner"])
def test_the_author_and_managers_edit(tenant, member, admin, owner, editor):
    post = create(tenant, member, "typo")
    client = signed_in(tenant, {"member": member, "admin": admin, "owner": owner}[editor])
    form = client.get(f"/feed/{post.pk}/edit")
    assert form.status_code == 200
    assert ">\ntypo</textarea>" in form.content.decode()
    done = client.post(f"/feed/{post.pk}/edit", {"body": "fixed"})
    assert (done.status_code, done["Location"]) == (302, f"/feed/{post.pk}")
    changed = stored(tenant, post.pk)
    assert (changed.body, changed.edited_at is not None) == ("fixed", True)


def test_an_empty_edit_is_shown_beside_the_body(tenant, member):
    post = create(tenant, member, "typo")
    response = signed_in(tenant, member).post(f"/feed/{post.pk}/edit", {"body": " "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"body": ["Write something to post."]}
    assert stored(tenant, post.pk).body == "typo"


@pytest.mark.parametrize("path", ["edit", "delete"])
def test_another_member_or_a_viewer_may_not_change_a_post(tenant, member, viewer, path):
    post = create(tenant, member, "mine")
    for who in (MembershipFactory(tenant=tenant), viewer):
        client = signed_in(tenant, who)
        assert client.get(f"/feed/{post.pk}/{path}").status_code == 403
        assert client.post(f"/feed/{post.pk}/{path}", {"body": "x"}).status_code == 403
    assert stored(tenant, post.pk).body == "mine"


@pytest.mark.parametrize("deleter", ["member", "admin"])
def test_delete_after_confirming(tenant, member, admin, deleter):
    post = create(tenant, member, "bye")
    client = signed_in(tenant, {"member": member, "admin": admin}[deleter])
    confirm = client.get(f"/feed/{post.pk}/delete").content.decode()
    assert "Delete this post?" in confirm
    assert stored(tenant, post.pk) is not None
    done = client.post(f"/feed/{post.pk}/delete")
    assert (done.status_code, done["Location"]) == (302, "/feed")
    assert stored(tenant, post.pk) is None


def test_deleting_a_draft_leads_back_to_the_drafts(tenant, member):
    draft = create(tenant, member, "wip", draft=True)
    done = signed_in(tenant, member).post(f"/feed/{draft.pk}/delete")
    assert (done.status_code, done["Location"]) == (302, "/feed/scheduled")
    assert stored(tenant, draft.pk) is None
