"""The /audit page: owners read their company's log, filtered and a page at a time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.audit.services import audit_record
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(tenant, owner, member, other_tenant):
    AuditEntry.objects.filter(tenant=tenant).delete()  # rolled back with the test
    audit_record(action="auth.signed_in", tenant=tenant, actor=member.user, ip="192.0.2.1")
    audit_record(
        action="member.role_changed",
        tenant=tenant,
        actor=owner.user,
        target=member.user.email,
        data={"from": "viewer", "to": "member"},
    )
    audit_record(action="api_key.created", tenant=tenant, actor=owner.user, target="ERP (ab12)")
    audit_record(action="api_key.created", tenant=other_tenant, target="theirs")


def rows(response):
    return [(entry.action, entry.actor_label) for entry in response.context["entries"].items]


def test_owners_read_their_companys_log_newest_first(log, page_of, owner, member):
    response = page_of(owner).get("/audit")
    assert response.status_code == 200
    assert rows(response) == [
        ("api_key.created", owner.user.email),
        ("member.role_changed", owner.user.email),
        ("auth.signed_in", member.user.email),
    ]
    html = response.content.decode()
    assert "Changed a member&#x27;s role" in html
    assert "from: viewer" in html
    assert "theirs" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("group=members", ["member.role_changed"]),
        ("group=keys", ["api_key.created"]),
        ("group=sign-in", ["auth.signed_in"]),
        ("actor=MEMBER-X", ["auth.signed_in"]),
        ("group=deletions", []),
    ],
)
def test_filters_by_group_and_by_who(log, page_of, owner, query, expected):
    AuditEntry.objects.filter(action="auth.signed_in").update(actor_label="member-x@example.com")
    response = page_of(owner).get(f"/audit?{query}")
    assert [action for action, _who in rows(response)] == expected


def test_days_are_whole_days_in_the_readers_zone(log, page_of, owner):
    today = timezone.localdate()
    client = page_of(owner)
    assert len(rows(client.get(f"/audit?since={today}&until={today}"))) == 3
    tomorrow = today + timedelta(days=1)
    response = client.get(f"/audit?since={tomorrow}")
    assert rows(response) == []
    assert "Nothing matches these filters." in response.content.decode()


def test_an_until_before_the_since_is_explained_not_applied(log, page_of, owner):
    today = timezone.localdate()
    response = page_of(owner).get(f"/audit?since={today}&until={today - timedelta(days=3)}")
    assert response.status_code == 200
    assert "Choose a day on or after the first day." in response.content.decode()
    assert len(rows(response)) == 3


def test_pages_of_fifty(tenant, page_of, owner):
    AuditEntry.objects.filter(tenant=tenant).delete()
    for i in range(60):
        audit_record(action="auth.sign_in_failed", tenant=tenant, data={"i": i})
    client = page_of(owner)
    first = client.get("/audit?group=sign-in")
    assert len(rows(first)) == 50
    assert first.context["entries"].has_next
    assert 'href="?group=sign-in&amp;page=2"' in first.content.decode()
    second = client.get("/audit?group=sign-in&page=2")
    assert len(rows(second)) == 10


def test_the_page_reads_in_a_fixed_number_of_queries(
    log, page_of, owner, django_assert_max_num_queries
):
    client = page_of(owner)
    client.get("/audit")
    with django_assert_max_num_queries(9):
        client.get("/audit")


def test_an_empty_log_says_what_will_appear(tenant, page_of, owner):
    client = page_of(owner)
    AuditEntry.objects.filter(tenant=tenant).delete()
    response = client.get("/audit")
    assert "Nothing recorded yet." in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "member", "viewer"])
def test_only_owners_read_it(tenant, page_of, role):
    assert page_of(MembershipFactory(tenant=tenant, role=role)).get("/audit").status_code == 403
