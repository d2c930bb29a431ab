"""Signup on the public site: errors beside their fields in plain words, what was typed kept,
the address previewed as it is typed, the password rules said, the language carried over."""

import re

import pytest
from django.test import Client

from apps.accounts.models import Membership, User
from apps.tenants.models import Tenant
from tests.accounts.factories import UserFactory
from tests.accounts.hashers import CountingHasher
from tests.api import PASSWORD

pytestmark = pytest.mark.django_db

FORMAT = (
    "Use only lowercase letters (a to z), digits and hyphens, beginning and ending "
    "with a letter or a digit."
)
# Django's own words (with its typographic apostrophe).
RULES = (
    "Your password can\u2019t be too similar to your other personal information. "
    "Your password must contain at least 8 characters. "
    "Your password can\u2019t be a commonly used password. "
    "Your password can\u2019t be entirely numeric."
)
# Said after the rules a password breaks: the email may have an account, whose password
# (whatever today's rules say of it) is the one to type.
IF_ACCOUNT = "If this email address already has a Kura account, enter its password."


@pytest.fixture
def english(public_client) -> Client:
    public_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return public_client


def signup(client: Client, **fields: str):
    data = {
        "company_name": "Initech",
        "slug": "initech",
        "full_name": "Peter Gibbons",
        "email": "peter@initech.example",
        "password": "tps-reports-2026",
    }
    return client.post("/signup", {**data, **fields})


def field_value(body: str, name: str) -> str | None:
    match = re.search(rf'<input type="[a-z]+" name="{name}"(?: value="([^"]*)")?', body)
    assert match is not None, name
    return match.group(1)


@pytest.mark.parametrize(
    ("password", "errors"),
    [
        (
            "123",
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ],
        ),
        ("password1", ["This password is too common."]),
        ("peter@initech.example", ["The password is too similar to the email address."]),
    ],
)
def test_refused_passwords_are_said_beside_the_field(english, password, errors):
    response = signup(english, password=password)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Traceback" not in body
    errors = [*errors, IF_ACCOUNT]
    assert response.context["form"].errors == {"password": errors}
    assert f'<small id="id_password-error">{" ".join(errors)}</small>' in body
    assert 'aria-describedby="id_password-error id_password-help"' in body
    # The password was the problem: it is cleared; everything else stays as typed.
    assert field_value(body, "password") is None
    assert field_value(body, "company_name") == "Initech"
    assert field_value(body, "full_name") == "Peter Gibbons"
    assert field_value(body, "email") == "peter@initech.example"
    assert not Tenant.objects.filter(slug="initech").exists()
    assert not User.objects.filter(email="peter@initech.example").exists()


def test_the_password_rules_are_said_before_anything_is_typed(english):
    body = english.get("/signup").content.decode()
    assert f'<small id="id_password-help">{RULES}</small>' in body


@pytest.mark.parametrize(
    ("slug", "error"),
    [
        ("test-alpha", "This address is already taken. Please choose another."),
        ("admin", "This address is reserved. Please choose another."),
        ("acme corp", FORMAT),
        ("-acme", FORMAT),
        ("a" * 33, "Use at most 32 characters."),
    ],
)
def test_refused_addresses_are_said_in_plain_words_and_the_password_is_kept(
    english, tenant, slug, error
):
    response = signup(english, slug=slug)
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["form"].errors == {"slug": [error]}
    assert "Schema name" not in body
    assert "Tenant with this" not in body
    assert (
        f'<small id="id_slug-note" aria-live="polite" data-testid="address-note">{error}</small>'
        in body
    )
    assert 'aria-describedby="id_slug-note" aria-invalid="true"' in body
    # Not a problem with the password: it stays, so only the address needs typing again.
    assert field_value(body, "password") == "tps-reports-2026"


def test_an_address_typed_in_capitals_is_taken_in_lowercase(english):
    response = signup(english, slug="  Initech ")
    assert response.status_code == 302
    assert Tenant.objects.get(slug="initech").name == "Initech"


@pytest.mark.parametrize(
    ("slug", "note"),
    [
        (
            "",
            (
                "Lowercase letters, digits and hyphens. For example, <strong>acme</strong> "
                "gives your company the address acme.localhost."
            ),
        ),
        ("acme", "Your company will be at <strong>acme.localhost</strong>. The address is free."),
        ("Acme", "Your company will be at <strong>acme.localhost</strong>. The address is free."),
        ("test-alpha", "This address is already taken. Please choose another."),
        ("www", "This address is reserved. Please choose another."),
        ("a_b", FORMAT),
    ],
)
def test_the_address_is_previewed_as_it_is_typed(english, tenant, slug, note):
    response = english.get("/signup/address", {"slug": slug})
    assert response.status_code == 200
    assert response.content.decode() == note


def test_the_address_field_asks_for_the_preview_as_it_is_typed(english):
    body = english.get("/signup").content.decode()
    assert 'hx-get="/signup/address" hx-trigger="input changed delay:300ms"' in body
    assert 'hx-target="#id_slug-note" hx-swap="innerHTML"' in body


def test_an_existing_account_proves_itself_beside_the_password(english):
    UserFactory(email="peter@initech.example")
    response = signup(english, password="not-my-password")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password": ["The email address or password is not correct."]
    }
    assert field_value(response.content.decode(), "password") is None
    # With the right one (whatever today's rules say of it), the company is theirs.
    assert signup(english, password=PASSWORD).status_code == 302
    assert Membership.objects.get(tenant__slug="initech").user.email == "peter@initech.example"


def test_signing_up_in_japanese_lands_in_a_japanese_company():
    response = signup(Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="ja"))
    assert response.status_code == 302
    owner = User.objects.get(email="peter@initech.example")
    assert owner.language == "ja"
    target = re.match(r"http://initech\.localhost(/handoff\?token=.+)$", response["Location"])
    assert target is not None
    # On the company's host, even a browser that asks for English gets the chosen language.
    there = Client(HTTP_HOST="initech.localhost", HTTP_ACCEPT_LANGUAGE="en")
    there.get(target.group(1))
    home = there.get("/").content.decode()
    assert '<html lang="ja" ' in home
    assert "Initech へようこそ" in home


def test_signing_up_in_english_keeps_english(english):
    assert signup(english).status_code == 302
    assert User.objects.get(email="peter@initech.example").language == "en"


@pytest.fixture
def hashes(settings) -> type[CountingHasher]:
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    CountingHasher.computed = 0
    return CountingHasher


def answers_of(client: Client, email: str, password: str, times: int) -> list[tuple]:
    """Each answer's status and page (the email as typed and the CSRF token, masked anew on
    every page, left out) and the hashes computed for it."""
    out = []
    for _ in range(times):
        CountingHasher.computed = 0
        response = signup(client, email=email, password=password)
        page = response.content.decode().replace(email, "<email>")
        page = re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf token>", page)
        out.append((response.status_code, page, CountingHasher.computed))
    return out


@pytest.mark.parametrize("password", ["short", "password1"])
def test_a_refusal_is_the_same_whether_or_not_the_email_has_an_account(english, hashes, password):
    """A password that breaks the rules gets the rules (and a word for account holders)
    until the lock, then the lock: one hash each, whether or not the email has an account
    (it was "not correct" after a hash for one, the rules at once for the other)."""
    UserFactory(email="known@example.com")
    known = answers_of(english, "known@example.com", password, 6)
    unknown = answers_of(english, "unknown@example.com", password, 6)
    assert known == unknown
    # Five refusals with the rules after a hash each, then the lock without one.
    assert [(status, hashes_) for status, _page, hashes_ in known] == [(200, 1)] * 5 + [(200, 0)]
    assert IF_ACCOUNT in known[0][1]
    assert "Too many failed sign-ins for this email address from your network." in known[5][1]
    assert not Tenant.objects.filter(slug="initech").exists()
    assert not User.objects.filter(email="unknown@example.com").exists()


def test_each_way_through_signup_hashes_once(english, hashes):
    UserFactory(email="known@example.com")
    old = UserFactory(email="old@example.com")
    old.set_password("1234")  # from before today's rules
    old.save()
    ways = [
        ("unknown@example.com", "tps-reports-2026", "new-co", 302),  # a new account
        ("known@example.com", PASSWORD, "known-co", 302),  # the account's password
        ("old@example.com", "1234", "old-co", 302),  # the account's, against today's rules
        ("known@example.com", "tps-reports-2026", "x-co", 200),  # a good one, not the account's
        ("known@example.com", "1234", "x-co", 200),  # a weak one, not the account's
        ("unknown-2@example.com", "1234", "x-co", 200),  # a weak one, no account
    ]
    seen = []
    for email, password, slug, _status in ways:
        hashes.computed = 0
        response = signup(english, email=email, password=password, slug=slug)
        seen.append((email, password, slug, response.status_code))
        assert hashes.computed == 1, (email, password)
    assert seen == ways
    owners = Membership.objects.filter(tenant__slug__in=["new-co", "known-co", "old-co"])
    assert sorted(owners.values_list("tenant__slug", "user__email")) == [
        ("known-co", "known@example.com"),
        ("new-co", "unknown@example.com"),
        ("old-co", "old@example.com"),
    ]
