"""The feed in a real browser, at a desktop and a phone width: posting from the composer
(the character count follows the text), infinite scroll loading the next posts as the
sentinel comes into view, and "N new posts" appearing after a colleague posts, without
the page moving until it is clicked."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.principal import Principal
from apps.posts.models import Post
from apps.posts.services import post_create
from tests.accounts.factories import MembershipFactory
from tests.browser.conftest import sign_in
from tests.conftest import COMMITTED_DOMAIN
from tests.posts.factories import posts_insert

# The feed asks for new posts every second here (30 s in production), so a test sees them.
WEB_ENV = {"KURA_FEED_POLL_SECONDS": "1"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 800}}


@pytest.fixture
def posts_left_clean(committed, tenant) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The committed posts are gone afterwards (before their authors are)."""
    yield
    with schema_context(tenant.schema_name):
        Post.objects.all().delete()
    connection.set_schema_to_public()


def post_as(tenant, membership, body: str) -> None:
    with schema_context(tenant.schema_name):
        post_create(tenant=tenant, actor=Principal.of_membership(membership), body=body)
    connection.set_schema_to_public()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_post_from_the_composer(page, committed_person, posts_left_clean, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, committed_person.user.email)
    page.goto("/feed")
    expect(page.get_by_test_id("no-posts")).to_be_visible()
    text = "Lunch at noon, see https://example.com/menu @nobody"
    page.get_by_label("Post", exact=True).fill(text)
    expect(page.locator("#body-count")).to_have_text(str(len(text)))
    page.get_by_test_id("post-now").click()
    expect(page.get_by_text("Posted.")).to_be_visible()
    post = page.get_by_test_id("post")
    expect(post).to_have_count(1)
    expect(post.get_by_test_id("post-body")).to_have_text(text)
    expect(post.get_by_role("link", name="https://example.com/menu")).to_have_attribute(
        "href", "https://example.com/menu"
    )
    expect(post.locator(".mention")).to_have_text("@nobody")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_infinite_scroll_loads_the_next_posts(
    page, tenant, committed_person, posts_left_clean, viewport
):
    with schema_context(tenant.schema_name):
        posts_insert(author=committed_person.user, count=45)
    connection.set_schema_to_public()
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, committed_person.user.email)
    page.goto("/feed")
    posts = page.get_by_test_id("post")
    expect(posts).to_have_count(20)
    expect(posts.first.get_by_test_id("post-body")).to_have_text("post 45")
    page.get_by_test_id("feed-sentinel").scroll_into_view_if_needed()
    expect(posts).to_have_count(40)
    page.get_by_test_id("feed-sentinel").scroll_into_view_if_needed()
    expect(posts).to_have_count(45)
    expect(posts.last.get_by_test_id("post-body")).to_have_text("post 1")
    expect(page.get_by_test_id("feed-end")).to_be_visible()
    expect(page.get_by_test_id("feed-sentinel")).to_have_count(0)
    bodies = posts.get_by_test_id("post-body").all_inner_texts()
    assert bodies == [f"post {n}" for n in range(45, 0, -1)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_new_posts_wait_for_a_click(page, tenant, committed_person, posts_left_clean, viewport):
    colleague = MembershipFactory(tenant=tenant, user__email=f"c{viewport}{COMMITTED_DOMAIN}")
    post_as(tenant, colleague, "first")
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, committed_person.user.email)
    page.goto("/feed")
    posts = page.get_by_test_id("post")
    expect(posts).to_have_count(1)
    page.evaluate("window.sameDocument = true")
    post_as(tenant, colleague, "second")
    post_as(tenant, colleague, "third")
    button = page.get_by_test_id("new-posts")
    expect(button).to_have_text("2 new posts", timeout=5000)
    expect(posts).to_have_count(1)  # nothing moved by itself
    button.click()
    expect(posts).to_have_count(3)
    assert posts.get_by_test_id("post-body").all_inner_texts() == ["third", "second", "first"]
    expect(button).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True  # the feed's top, not a reload
    post_as(tenant, colleague, "fourth")
    expect(button).to_have_text("1 new post", timeout=5000)
