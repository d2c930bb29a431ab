"""The members page: pending invitations listed, sent again or withdrawn; removing and
suspending asked first, suspensions with their unit and zone and lifted early; every
change says whose."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Invitation, Membership
from apps.accounts.principal import Principal
from apps.accounts.services import (
    invitation_accept,
    invitation_create,
    membership_suspend,
    membership_suspension_end,
)
from apps.core.times import when_text
from apps.jobs.models import Job
from apps.notifications.models import Notification
from tests.accounts.factories import InvitationFactory, MembershipFactory, UserFactory
from tests.accounts.test_views import signed_in
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def invite(tenant, owner, email: str, capture) -> str:
    """Invite `email`; the token of the emailed link."""
    with capture(execute=True):
        invitation_create(
            tenant=tenant,
            email=email,
            role="member",
            actor=Principal.of_membership(owner),
            accept_url=f"http://{host_of(tenant)}/invitations/",
        )
    match = re.search(r"/invitations/(\S+)", mail.outbox[-1].body)
    assert match is not None
    return match.group(1)


def test_a_company_with_one_member_says_what_to_do_first(tenant, owner):
    page = signed_in(tenant, owner).get("/members").content.decode()
    assert (
        "You are the only member so far. Invite your colleagues below: each gets an email "
        "with a link to join, and you choose what they may do." in page
    )
    assert "No invitations are waiting for an answer." in page
    assert "(you)" in page


def test_pending_invitations_are_listed_and_sent_again(
    tenant, owner, django_capture_on_commit_callbacks
):
    first = invite(tenant, owner, "new@example.com", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="new@example.com")
    admin = signed_in(tenant, owner)
    page = admin.get("/members").content.decode()
    assert f'<tr id="invitation-{invitation.pk}">' in page
    assert '<th scope="row">new@example.com</th>' in page
    assert f"<td>{owner.user.email}</td>" in page
    expires = timezone.localtime(invitation.expires_at)
    assert f'<time datetime="{expires.isoformat(timespec="seconds")}">' in page
    assert f"{expires:%Y-%m-%d %H:%M} JST</time> (in 1\xa0week)" in page

    with django_capture_on_commit_callbacks(execute=True):
        sent = admin.post("/members", {"action": "resend", "invitation": invitation.pk})
    assert sent.status_code == 302
    second = re.search(r"/invitations/(\S+)", mail.outbox[-1].body)
    assert second is not None
    assert mail.outbox[-1].to == ["new@example.com"]
    assert "Accept within 7 days" in mail.outbox[-1].body
    invitation.refresh_from_db()
    message = admin.get("/members").context["messages"]
    assert [str(m) for m in message] == [
        (
            "A new invitation link was sent to new@example.com; the earlier link no longer "
            f"works. The new one works until {when_text(invitation.expires_at)}."
        )
    ]
    # The first link stopped working; the new one works.
    visitor = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    assert visitor.get(f"/invitations/{first}").status_code == 400
    assert visitor.get(f"/invitations/{second.group(1)}").status_code == 200


def test_withdrawing_an_invitation_asks_first(tenant, owner, django_capture_on_commit_callbacks):
    token = invite(tenant, owner, "new@example.com", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="new@example.com")
    admin = signed_in(tenant, owner)
    question = admin.get(f"/members/invitations/{invitation.pk}/withdraw")
    assert question.status_code == 200
    assert "Withdraw the invitation of new@example.com?" in question.content.decode()
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    done = admin.post(f"/members/invitations/{invitation.pk}/withdraw", follow=True)
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert (
        "The invitation of new@example.com was withdrawn; its link no longer works."
        in done.content.decode()
    )
    assert Client(HTTP_HOST=host_of(tenant)).get(f"/invitations/{token}").status_code == 400
    assert admin.get(f"/members/invitations/{invitation.pk}/withdraw").status_code == 404


def test_inviting_says_until_when_and_errors_sit_beside_the_field(tenant, owner, member):
    admin = signed_in(tenant, owner)
    done = admin.post(
        "/members", {"action": "invite", "email": "x@example.com", "role": "member"}, follow=True
    )
    invitation = Invitation.objects.get(email="x@example.com")
    assert (
        f"Invitation sent to x@example.com. The link works until "
        f"{when_text(invitation.expires_at)}." in done.content.decode()
    )
    refused = admin.post(
        "/members", {"action": "invite", "email": member.user.email, "role": "member"}
    )
    assert refused.status_code == 200
    assert refused.context["invite_form"].errors == {"email": ["This person is already a member."]}
    assert '<small id="id_email-error">This person is already a member.</small>' in (
        refused.content.decode()
    )


def test_accepting_withdraws_other_pending_invitations_of_that_email(
    tenant, owner, django_capture_on_commit_callbacks
):
    token = invite(tenant, owner, "new@example.com", django_capture_on_commit_callbacks)
    # An older duplicate, as re-inviting left them before it replaced them.
    stale = InvitationFactory(
        tenant=tenant,
        email="new@example.com",
        role="admin",
        token_hash="0" * 64,
        expires_at=timezone.now() + timedelta(days=1),
    )
    invitation_accept(
        raw_token=token, tenant=tenant, password="a-long-new-password", ip="192.0.2.1"
    )
    assert not Invitation.objects.filter(pk=stale.pk).exists()
    assert Membership.objects.get(tenant=tenant, user__email="new@example.com").role == "member"


def test_the_welcome_shows_once_after_accepting(tenant, owner, django_capture_on_commit_callbacks):
    token = invite(tenant, owner, "new@example.com", django_capture_on_commit_callbacks)
    newcomer = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    home = newcomer.post(
        f"/invitations/{token}",
        {"full_name": "New", "password": "a-long-new-password"},
        follow=True,
    )
    body = home.content.decode()
    assert body.count("Welcome to") == 1
    assert f"You joined {tenant.name} as Member." in body
    assert Membership.objects.get(user__email="new@example.com").user.language == "en"


def test_a_new_accounts_password_is_checked_beside_the_field(
    tenant, owner, django_capture_on_commit_callbacks
):
    token = invite(tenant, owner, "new@example.com", django_capture_on_commit_callbacks)
    newcomer = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    page = newcomer.get(f"/invitations/{token}").content.decode()
    assert "Your password must contain at least 8 characters." in page
    refused = newcomer.post(f"/invitations/{token}", {"full_name": "New", "password": "123"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "password": [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ]
    }
    assert 'name="full_name" value="New"' in refused.content.decode()


def test_an_existing_accounts_wrong_password_is_said_beside_the_field(
    tenant, owner, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.com")
    token = invite(tenant, owner, "known@example.com", django_capture_on_commit_callbacks)
    visitor = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    refused = visitor.post(f"/invitations/{token}", {"password": "wrong-password"})
    assert refused.context["form"].errors == {
        "password": ["The email address or password is not correct."]
    }


def test_changing_a_role_says_whose(tenant, owner, member):
    admin = signed_in(tenant, owner)
    done = admin.post(
        "/members", {"action": "role", "member": member.pk, "role": "admin"}, follow=True
    )
    assert f"{member.user.full_name} ({member.user.email}) is now Admin." in done.content.decode()


def test_removing_asks_first_and_says_who(tenant, owner, member):
    admin = signed_in(tenant, owner)
    question = admin.get(f"/members/{member.pk}/remove").content.decode()
    assert f"Remove {member.user.full_name}?" in question
    assert (
        f"{member.user.email} will no longer be a member of {tenant.name}: they are signed out "
        "at once" in question
    )
    done = admin.post(f"/members/{member.pk}/remove", follow=True)
    assert (
        f"{member.user.full_name} ({member.user.email}) was removed from {tenant.name}."
        in done.content.decode()
    )
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_nobody_removes_or_suspends_themselves_and_admins_leave_owners_alone(tenant, owner):
    admin_membership = MembershipFactory(tenant=tenant, role="admin")
    admin = signed_in(tenant, admin_membership)
    for path in ("remove", "suspend"):
        assert admin.get(f"/members/{owner.pk}/{path}").status_code == 403
        assert admin.post(f"/members/{owner.pk}/{path}").status_code == 403
        assert admin.get(f"/members/{admin_membership.pk}/{path}").status_code == 403
    assert Membership.objects.filter(pk=owner.pk, suspended_until__isnull=True).exists()


def test_suspending_names_the_unit_and_says_until_when(tenant, owner, member):
    admin = signed_in(tenant, owner)
    form = admin.get(f"/members/{member.pk}/suspend").content.decode()
    assert f"Suspend {member.user.full_name}?" in form
    assert '<option value="hours" selected>hours</option>' in form
    assert '<option value="days">days</option>' in form
    done = admin.post(f"/members/{member.pk}/suspend", {"duration": "3", "unit": "days"})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.suspended_until is not None
    assert abs(member.suspended_until - (timezone.now() + timedelta(days=3))) < timedelta(
        seconds=30
    )
    page = admin.get("/members")
    assert [str(m) for m in page.context["messages"]] == [
        (
            f"{member.user.full_name} ({member.user.email}) is suspended until "
            f"{when_text(member.suspended_until)}."
        )
    ]
    body = page.content.decode()
    until = timezone.localtime(member.suspended_until)
    assert f'Suspended until <time datetime="{until.isoformat(timespec="seconds")}">' in body
    assert f"{until:%Y-%m-%d %H:%M} JST</time> (in 3\xa0days)" in body
    assert "Lift suspension" in body


def test_a_suspension_longer_than_90_days_is_refused_beside_the_field(tenant, owner, member):
    admin = signed_in(tenant, owner)
    refused = admin.post(f"/members/{member.pk}/suspend", {"duration": "91", "unit": "days"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"duration": ["At most 90 days."]}
    assert '<small id="id_duration-error">At most 90 days.</small>' in refused.content.decode()
    member.refresh_from_db()
    assert member.suspended_until is None


def test_a_suspension_is_lifted_early(tenant, owner, member):
    until = timezone.now() + timedelta(days=2)
    with schema_context(tenant.schema_name):
        membership_suspend(membership=member, until=until, actor=Principal.of_membership(owner))
    job = Job.objects.get(
        tenant=tenant, idempotency_key=f"suspension:{member.pk}:{until.isoformat()}"
    )
    admin = signed_in(tenant, owner)
    done = admin.post("/members", {"action": "lift", "member": member.pk}, follow=True)
    assert (
        f"{member.user.full_name} ({member.user.email}) has access again: the suspension was "
        "lifted." in done.content.decode()
    )
    member.refresh_from_db()
    assert member.suspended_until is None
    job.refresh_from_db()
    assert job.state == "cancelled"
    with schema_context(tenant.schema_name):
        notices = list(Notification.objects.filter(user=member.user).values_list("title", "link"))
    assert notices == [(f"Your access to {tenant.name} is back.", "/")]
    # They sign in again (the suspension ended their sessions and tokens).
    assert signed_in(tenant, member).get("/profile").status_code == 200


def test_lifting_what_is_not_suspended_says_so_beside_the_row(tenant, owner, member):
    response = signed_in(tenant, owner).post("/members", {"action": "lift", "member": member.pk})
    assert response.status_code == 200
    assert (
        f'<small id="member-{member.pk}-error" role="alert">This member is not suspended.</small>'
        in response.content.decode()
    )
    with pytest.raises(Exception, match="not suspended"):
        membership_suspension_end(membership=member, actor=Principal.of_membership(owner))


@pytest.mark.parametrize("extra", [1, 6])
def test_the_members_page_takes_the_same_queries_however_many(
    tenant, owner, extra, django_assert_num_queries
):
    for n in range(extra):
        MembershipFactory(tenant=tenant)
        InvitationFactory(
            tenant=tenant,
            email=f"i{n}@example.com",
            role="member",
            token_hash=f"{n:064d}",
            invited_by=owner.user,
            expires_at=timezone.now() + timedelta(days=1),
        )
    client = signed_in(tenant, owner)
    client.get("/members")  # the membership is cached from here on
    # The host's tenant, schema switches, session, person, members, invitations, unread count.
    with django_assert_num_queries(8):
        assert client.get("/members").status_code == 200
