"""The notifications pages: the bell and its fragment, the list, opening one."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(tenant):
    def signed_in(membership) -> Client:
        client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(membership.user)
        return client

    return signed_in


def notify(tenant, membership, title: str, link: str = "") -> Notification:
    with schema_context(tenant.schema_name):
        return notification_create(
            user=membership.user, kind="test", title=title, link=link, email=False
        )


def bell_of(html: str) -> str:
    match = re.search(r'<a id="bell".*?</a>', html, re.DOTALL)
    assert match is not None, html
    return match.group(0)


def read_titles(tenant, membership) -> list[str]:
    with schema_context(tenant.schema_name):
        return sorted(
            Notification.objects.filter(user=membership.user, read_at__isnull=False).values_list(
                "title", flat=True
            )
        )


def test_the_bell_says_the_unread_count_in_its_name(tenant, member, client_of):
    notify(tenant, member, "one")
    notify(tenant, member, "two")
    bell = bell_of(client_of(member).get("/").content.decode())
    assert 'aria-label="Notifications, 2 unread"' in bell
    assert '<span class="badge" aria-hidden="true" data-testid="unread">2</span>' in bell
    assert 'hx-get="/notifications/bell"' in bell
    assert "hx-trigger=\"every 30s [document.visibilityState === 'visible']\"" in bell


def test_the_bell_without_unread_is_just_notifications(tenant, member, client_of):
    bell = bell_of(client_of(member).get("/").content.decode())
    assert 'aria-label="Notifications"' in bell
    assert "badge" not in bell


def test_the_bell_fragment_is_the_bell_alone_and_never_cached(tenant, member, client_of):
    client = client_of(member)
    notify(tenant, member, "one")
    response = client.get("/notifications/bell")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<a id="bell"')
    assert html.rstrip().endswith("</a>")
    assert 'aria-label="Notifications, 1 unread"' in html
    assert "no-cache" in response["Cache-Control"]
    notify(tenant, member, "two")
    assert (
        'aria-label="Notifications, 2 unread"' in client.get("/notifications/bell").content.decode()
    )


def test_the_bell_fragment_stops_polling_once_signed_out(tenant):
    response = Client(HTTP_HOST=host_of(tenant)).get("/notifications/bell")
    assert response.status_code == 286
    assert response.content == b""


def test_opening_the_list_marks_what_it_shows_read(tenant, member, owner, client_of):
    notify(tenant, member, "one")
    notify(tenant, member, "two")
    notify(tenant, owner, "theirs")
    client = client_of(member)
    html = client.get("/notifications").content.decode()
    assert html.count('<span class="new-mark">New</span>') == 2
    assert read_titles(tenant, member) == ["one", "two"]
    assert read_titles(tenant, owner) == []
    # Shown read: the bell of that very page and the next showing have nothing new.
    assert 'aria-label="Notifications"' in bell_of(html)
    assert "new-mark" not in client.get("/notifications").content.decode()


def test_the_list_links_each_item_to_its_opening(tenant, member, client_of):
    first = notify(tenant, member, "one", link="/reminders#reminder-7")
    html = client_of(member).get("/notifications").content.decode()
    assert f'<a href="/notifications/{first.pk}">one</a>' in html


def test_opening_one_marks_it_read_and_goes_to_its_object(tenant, member, client_of):
    target = notify(tenant, member, "due", link="/reminders#reminder-7")
    notify(tenant, member, "other")
    response = client_of(member).get(f"/notifications/{target.pk}")
    assert response.status_code == 302
    assert response["Location"] == "/reminders#reminder-7"
    assert read_titles(tenant, member) == ["due"]


@pytest.mark.parametrize("link", ["", "https://elsewhere.example/", "//elsewhere.example/x"])
def test_a_link_off_this_host_or_none_leads_back_to_the_list(tenant, member, client_of, link):
    target = notify(tenant, member, "due", link=link)
    response = client_of(member).get(f"/notifications/{target.pk}")
    assert response.status_code == 302
    assert response["Location"] == "/notifications"
    assert read_titles(tenant, member) == ["due"]


def test_nobody_opens_someone_elses(tenant, member, owner, client_of):
    target = notify(tenant, member, "mine")
    assert client_of(owner).get(f"/notifications/{target.pk}").status_code == 404
    assert read_titles(tenant, member) == []
