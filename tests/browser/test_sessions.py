"""Re-authentication, ending a session and deleting a company, in a real browser, in
English and Japanese."""

import re
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, expect
from qsessions.backends.db import SessionStore

from apps.accounts.models import ApiKey, Membership
from apps.accounts.services import AUTH_TIME
from apps.audit.models import AuditEntry
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD
from tests.conftest import COMMITTED_DOMAIN

LOCALES = {"en": "en-US", "ja": "ja-JP"}
TEXT = {
    "en": {
        "reauth": "Confirm your password",
        "ended": "That sign-in has ended",
        "deleted": "was deleted by its owner",
        "sign_in": "Sign in to",
    },
    "ja": {
        "reauth": "パスワードの確認",
        "ended": "そのサインインを終了しました",
        "deleted": "オーナーによって削除されました",
        "sign_in": "サインイン",
    },
}


def context_for(browser: Browser, port: int, slug: str, language: str) -> BrowserContext:
    return browser.new_context(base_url=f"http://{slug}.localhost:{port}", locale=LOCALES[language])


def sign_in(page: Page, email: str) -> None:
    """The sign-in form by its fields' names, so it reads the same in both languages."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url("/".join(page.url.split("/")[:3]) + "/")


def age_the_sign_in(context: BrowserContext) -> None:
    """As if the browser's sign-in were older than KURA_REAUTH_SECONDS."""
    key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    session[AUTH_TIME] = time.time() - settings.REAUTH_SECONDS - 60
    session.save()


@pytest.fixture
def owner(committed, tenant) -> Membership:  # type: ignore[no-untyped-def]
    return MembershipFactory(
        tenant=tenant, role="owner", user__email=f"s{time.monotonic_ns()}{COMMITTED_DOMAIN}"
    )


@pytest.fixture
def keys_left_clean(committed, tenant) -> Iterator[None]:  # type: ignore[no-untyped-def]
    yield
    ApiKey.objects.filter(tenant=tenant, name__startswith="Browser ").delete()


@pytest.mark.usefixtures("keys_left_clean")
@pytest.mark.parametrize("language", LOCALES)
def test_a_stale_sign_in_confirms_the_password_then_creates_the_key(
    browser, base_port, tenant, owner, language
):
    context = context_for(browser, base_port, tenant.slug, language)
    page = context.new_page()
    sign_in(page, owner.user.email)
    age_the_sign_in(context)
    page.goto("/api-keys")
    page.locator("input[name=name]").fill(f"Browser {language}")
    page.locator("form:has(input[name=name]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/reauth\?next=%2Fapi-keys(#new)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[language]["reauth"])
    assert ApiKey.objects.filter(tenant=tenant, name=f"Browser {language}").count() == 0
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("reauth-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r":\d+/api-keys(#new)?$"))
    page.locator("input[name=name]").fill(f"Browser {language}")
    page.locator("form:has(input[name=name]) button[type=submit]").click()
    expect(page.get_by_text(f"Browser {language}").first).to_be_visible()
    assert ApiKey.objects.filter(tenant=tenant, name=f"Browser {language}").count() == 1
    context.close()


@pytest.mark.parametrize("language", LOCALES)
def test_ending_another_session_signs_that_browser_out(browser, base_port, tenant, owner, language):
    mine = context_for(browser, base_port, tenant.slug, language)
    other = context_for(browser, base_port, tenant.slug, language)
    here, there = mine.new_page(), other.new_page()
    sign_in(here, owner.user.email)
    sign_in(there, owner.user.email)
    here.goto("/profile")
    rows = here.get_by_test_id("sign-in")
    expect(rows).to_have_count(2)
    expect(here.get_by_test_id("this-session")).to_have_count(1)
    here.get_by_test_id("end-session").click()
    expect(here.get_by_text(TEXT[language]["ended"])).to_be_visible()
    expect(here.get_by_test_id("sign-in")).to_have_count(1)
    there.goto("/profile")
    expect(there).to_have_url(f"http://{tenant.slug}.localhost:{base_port}/login?next=/profile")
    mine.close()
    other.close()


@pytest.fixture
def doomed(committed, tenants) -> Iterator[Tenant]:  # type: ignore[no-untyped-def]
    """A company of its own to delete, dropped afterwards."""
    slug = f"test-doomed-{time.monotonic_ns() % 10**8}"
    tenant = tenant_create(name=f"Doomed {slug}", slug=slug)
    yield tenant
    connection.set_schema_to_public()
    AuditEntry.objects.filter(tenant_id=tenant.pk).delete()
    Tenant.objects.get(pk=tenant.pk).delete(force_drop=True)


@pytest.mark.parametrize("language", LOCALES)
def test_an_owner_deletes_the_company(browser, base_port, doomed, language):
    owner = MembershipFactory(
        tenant=doomed, role="owner", user__email=f"d{time.monotonic_ns()}{COMMITTED_DOMAIN}"
    )
    context = context_for(browser, base_port, doomed.slug, language)
    page = context.new_page()
    sign_in(page, owner.user.email)
    page.goto("/members")
    page.get_by_test_id("company-delete-link").click()
    form = page.get_by_test_id("company-delete-form")
    form.locator("input[name=slug]").fill("not-it")
    form.locator("button[type=submit]").click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    page.get_by_test_id("company-delete-form").locator("input[name=slug]").fill(doomed.slug)
    page.get_by_test_id("company-delete-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("company-deleted")).to_contain_text(TEXT[language]["deleted"])
    connection.set_schema_to_public()
    assert Tenant.objects.get(pk=doomed.pk).is_active is False
    context.close()
