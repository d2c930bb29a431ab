"""Public site: "find my company" emails sign-in links to a person's companies, answers the
same whether or not the email has an account, and is limited per email and per address."""

import re

import pytest
from django.core import mail
from django.test import Client

from apps.accounts.services import companies_email_links
from apps.accounts.services.companies import PER_ADDRESS, PER_EMAIL
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SENT = (
    "If {email} belongs to a Kura account, we have emailed it a sign-in link to each of its "
    "companies. It can take a few minutes to arrive."
)


@pytest.fixture
def english() -> Client:
    return Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")


def ask(client: Client, email: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/find", {"email": email})


def test_the_page_explains_itself(english):
    body = english.get("/find").content.decode()
    assert "Enter the email address you use on Kura: we will email you a sign-in link" in body
    assert '<label for="id_email">Email address</label>' in body


def test_links_to_each_open_company(
    english, tenant, other_tenant, django_capture_on_commit_callbacks
):
    person = UserFactory(email="peter@example.com")
    MembershipFactory(tenant=tenant, user=person)
    MembershipFactory(tenant=other_tenant, user=person, role="viewer")
    closed = Tenant.objects.create(
        name="Closed", slug="closed-co", schema_name="t_closed_co", is_active=False
    )
    MembershipFactory(tenant=closed, user=person)
    response = ask(english, "Peter@Example.com", django_capture_on_commit_callbacks)
    assert (response.status_code, response["Location"]) == (302, "/find")
    assert [str(m) for m in english.get("/find").context["messages"]] == [
        SENT.format(email="Peter@Example.com")
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["peter@example.com"]
    assert mail.outbox[0].subject == "Your companies on Kura"
    assert mail.outbox[0].body == (
        "Your Kura account belongs to these companies. Sign in to each here:\n\n"
        f"- {tenant.name}: http://test-alpha.localhost/login\n"
        f"- {other_tenant.name}: http://test-beta.localhost/login\n\n"
        "If you did not ask for this, you can ignore this email."
    )


def test_an_account_without_companies_gets_the_signup_page(
    english, django_capture_on_commit_callbacks
):
    UserFactory(email="alone@example.com")
    ask(english, "alone@example.com", django_capture_on_commit_callbacks)
    assert mail.outbox[0].body == (
        "Your Kura account does not belong to any company at the moment. To start one: "
        "http://localhost/signup\n\n"
        "If you did not ask for this, you can ignore this email."
    )


def test_unknown_emails_get_the_same_answer_and_no_email(
    english, tenant, django_capture_on_commit_callbacks
):
    MembershipFactory(tenant=tenant, user=UserFactory(email="known@example.com"))
    known = ask(english, "known@example.com", django_capture_on_commit_callbacks)
    known_page = english.get("/find").content.decode()
    unknown = ask(english, "nobody@example.com", django_capture_on_commit_callbacks)
    unknown_page = english.get("/find").content.decode()
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert strip_token(known_page).replace("known@", "nobody@") == strip_token(unknown_page)
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def strip_token(page: str) -> str:
    """The page without its CSRF tokens (in forms, and in the header htmx sends)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


def test_one_inbox_gets_a_few_emails_a_window_and_the_same_answer_after(
    english, tenant, django_capture_on_commit_callbacks
):
    MembershipFactory(tenant=tenant, user=UserFactory(email="peter@example.com"))
    for _ in range(PER_EMAIL + 2):
        response = ask(english, "peter@example.com", django_capture_on_commit_callbacks)
        assert response.status_code == 302
    assert len(mail.outbox) == PER_EMAIL


def test_one_network_is_refused_after_its_limit(english, django_capture_on_commit_callbacks):
    for n in range(PER_ADDRESS):
        assert (
            ask(english, f"p{n}@example.com", django_capture_on_commit_callbacks).status_code == 302
        )
    refused = ask(english, "late@example.com", django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert (
        "Too many requests from your network. Try again in 60 minutes." in refused.content.decode()
    )


def test_the_service_counts_unknown_emails_too(django_capture_on_commit_callbacks):
    """The per-email count does not depend on the account existing (no oracle there)."""
    for _ in range(PER_EMAIL):
        companies_email_links(
            email="ghost@example.com",
            ip="192.0.2.7",
            login_url=lambda tenant: "x",
            signup_url="y",
        )
    UserFactory(email="ghost@example.com")  # the account appears only now
    with django_capture_on_commit_callbacks(execute=True):
        companies_email_links(
            email="ghost@example.com", ip="192.0.2.8", login_url=lambda t: "x", signup_url="y"
        )
    assert mail.outbox == []
