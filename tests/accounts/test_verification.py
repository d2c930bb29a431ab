"""Email verification of accounts made at signup: the company works at once, a banner asks to
verify (and sends the link again, a few times an hour), and past the grace period an
unverified person may not invite people or create API keys."""

import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from apps.accounts.errors import EmailUnverifiedError
from apps.accounts.models import Membership, User
from apps.accounts.policies import email_verification_overdue
from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create, invitation_accept, invitation_create
from apps.accounts.services.verification import RESEND_PER_HOUR
from apps.audit.models import AuditEntry
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory
from tests.conftest import host_of, reauthenticate

pytestmark = pytest.mark.django_db

BANNER = "Please verify your email address {email}: open the link we emailed you."
OVERDUE = (
    "Verify your email address first: it is still unverified 7 days after signing up. Use the "
    "link we emailed you, or “Send the link again” at the top of the page."
)


def web(tenant, membership=None) -> Client:
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    if membership is not None:
        client.force_login(membership.user)
    return client


def unverified(tenant, *, role: str = "owner", days: int = 0) -> Membership:
    return MembershipFactory(
        tenant=tenant,
        role=role,
        user__email_verified_at=None,
        user__date_joined=timezone.now() - timedelta(days=days),
    )


def verify_link(index: int = -1) -> str:
    return re.search(r"http://\S+/verify-email\?token=\S+", mail.outbox[index].body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_signup_emails_a_link_and_the_company_works_at_once(
    public_client, django_capture_on_commit_callbacks
):
    public_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = public_client.post(
            "/signup",
            {
                "company_name": "Initech",
                "slug": "initech",
                "full_name": "Peter Gibbons",
                "email": "peter@initech.example",
                "password": "tps-reports-2026",
            },
        )
    assert response.status_code == 302
    peter = User.objects.get(email="peter@initech.example")
    assert peter.email_verified_at is None
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["peter@initech.example"], "Verify your email address for Kura")
    ]
    link = verify_link()
    assert link.startswith("http://initech.localhost/verify-email?token=")
    tenant = Tenant.objects.get(slug="initech")
    client = web(tenant)
    client.force_login(peter)
    home = client.get("/")
    assert home.status_code == 200
    assert BANNER.format(email=peter.email) in home.content.decode()
    done = client.get(path_of(link))
    assert (done.status_code, done["Location"]) == (302, "/")
    peter.refresh_from_db()
    assert peter.email_verified_at is not None
    verified = AuditEntry.objects.get(tenant=tenant, action="email.verified")
    assert verified.actor_id == peter.pk
    home = client.get("/")
    assert [str(m) for m in home.context["messages"]] == [
        "Thank you: your email address is verified."
    ]
    assert 'data-testid="verify-banner"' not in home.content.decode()
    # Once only: the same link again gets a clear page.
    again = client.get(path_of(link))
    assert again.status_code == 400
    assert (
        "This verification link is not valid, has expired or was already used."
        in again.content.decode()
    )


def test_verified_people_see_no_banner(tenant, member):
    assert 'data-testid="verify-banner"' not in web(tenant, member).get("/").content.decode()


def test_the_banner_sends_the_link_again_a_few_times_an_hour(
    tenant, django_capture_on_commit_callbacks
):
    person = unverified(tenant)
    client = web(tenant, person)
    for _ in range(RESEND_PER_HOUR):
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post("/verify-email/send?next=/files")
        assert (sent.status_code, sent["Location"]) == (302, "/files")
    assert len(mail.outbox) == RESEND_PER_HOUR
    client.post("/verify-email/send")
    assert [str(m) for m in client.get("/").context["messages"]] == [
        *[f"We have emailed a new link to {person.user.email}."] * RESEND_PER_HOUR,
        "We sent the link several times already. Try again in 60 minutes.",
    ]
    assert len(mail.outbox) == RESEND_PER_HOUR
    # Every link sent works (the last one here).
    assert web(tenant, person).get(path_of(verify_link())).status_code == 302


def test_sending_again_to_a_verified_address_sends_nothing(tenant, member):
    client = web(tenant, member)
    assert client.post("/verify-email/send?next=//evil.example").headers["Location"] == "/"
    assert [str(m) for m in client.get("/").context["messages"]] == [
        "Your email address is already verified."
    ]
    assert mail.outbox == []


@pytest.mark.parametrize("token", ["", "forged", "a:b:c"])
def test_forged_verification_links_get_a_clear_page(tenant, token):
    response = web(tenant).get(f"/verify-email?token={token}")
    assert response.status_code == 400
    assert "This link is no longer valid" in response.content.decode()


def test_a_link_for_an_address_the_account_no_longer_has_does_nothing(
    tenant, django_capture_on_commit_callbacks
):
    person = unverified(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        web(tenant, person).post("/verify-email/send")
    User.objects.filter(pk=person.user.pk).update(email="changed@example.com")
    assert web(tenant).get(path_of(verify_link())).status_code == 400
    person.user.refresh_from_db()
    assert person.user.email_verified_at is None


def test_accepting_an_emailed_invitation_verifies_the_address(
    tenant, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            tenant=tenant,
            email="new@example.com",
            role="member",
            actor=Principal.of_membership(owner),
            accept_url="http://x/invitations/",
        )
    raw = re.search(r"http://x/invitations/(\S+)", mail.outbox[0].body).group(1)
    membership = invitation_accept(
        raw_token=raw, tenant=tenant, password="plum-tomato-harbour-42", ip="192.0.2.1"
    )
    assert membership.user.email_verified_at is not None


@pytest.mark.parametrize(("days", "overdue"), [(6, False), (7, True)])
def test_the_grace_period(tenant, days, overdue):
    person = unverified(tenant, days=days)
    assert email_verification_overdue(person.user) is overdue


def test_past_the_grace_period_no_invitations_nor_api_keys(tenant):
    person = unverified(tenant, days=8)
    # In English whatever language a test before left active (the default is Japanese).
    with translation.override("en"), pytest.raises(EmailUnverifiedError) as refused:
        api_key_create(tenant=tenant, name="k", scope="read", actor=Principal.of_membership(person))
    assert (refused.value.status_code, refused.value.code, refused.value.message) == (
        403,
        "email_unverified",
        OVERDUE,
    )
    with pytest.raises(EmailUnverifiedError):
        invitation_create(
            tenant=tenant,
            email="x@example.com",
            role="member",
            actor=Principal.of_membership(person),
            accept_url="x/",
        )


def test_past_the_grace_period_the_pages_say_why(tenant):
    person = unverified(tenant, days=8)
    client = web(tenant, person)
    note = (
        "Verify your email address to do this: until then you cannot invite people or create API "
        "keys. The banner at the top of the page sends the link again."
    )
    for path in ("/members", "/api-keys"):
        body = client.get(path).content.decode()
        assert note in body
        assert "Until then you cannot invite people or create API keys." in body
    invite = client.post(
        "/members", {"action": "invite", "email": "x@example.com", "role": "member"}
    )
    assert invite.context["invite_form"].non_field_errors() == [OVERDUE]
    reauthenticate(client)  # creating a key needs a recent password check first
    key = client.post("/api-keys", {"name": "k", "scope": "read"})
    assert key.status_code == 200
    assert key.context["form"].non_field_errors() == [OVERDUE]


def test_within_the_grace_period_everything_works(tenant):
    person = unverified(tenant, days=6)
    key, _secret = api_key_create(
        tenant=tenant, name="k", scope="read", actor=Principal.of_membership(person)
    )
    assert key.created_by == person.user


def test_the_migration_marks_existing_accounts_verified(tenant):
    before = unverified(tenant).user
    migration = import_module("apps.accounts.migrations.0005_user_email_verified_at")
    migration.existing_users_verified(apps, None)
    before.refresh_from_db()
    assert before.email_verified_at == before.date_joined
