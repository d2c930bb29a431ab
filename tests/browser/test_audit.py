"""The audit log in a real browser, in English and Japanese: an owner signs in, a failed
sign-in and their own sign-in are listed with the address, and the filter narrows the list."""

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Membership
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD
from tests.browser.conftest import sign_in
from tests.conftest import COMMITTED_DOMAIN

WORDS = {
    "en": {
        "title": "Audit log",
        "signed_in": "Signed in",
        "failed": "Sign-in failed",
        "what": "What",
        "members": "Members and invitations",
        "show": "Show",
        "none": "Nothing matches these filters.",
        "sign_in": ("Email address", "Password", "Sign in"),
    },
    "ja": {
        "title": "監査ログ",
        "signed_in": "サインイン",
        "failed": "サインインに失敗",
        "what": "内容",
        "members": "メンバーと招待",
        "show": "表示",
        "none": "この条件に合う項目はありません。",
        "sign_in": ("メールアドレス", "パスワード", "サインイン"),
    },
}


@pytest.fixture
def owner_person(committed, tenant) -> Membership:  # type: ignore[no-untyped-def]
    return MembershipFactory(
        tenant=tenant,
        role=Membership.Role.OWNER,
        user__email=f"o{time.monotonic_ns()}{COMMITTED_DOMAIN}",
    )


@pytest.fixture(params=["en", "ja"])
def language_page(request, browser: Browser, base_port, tenant) -> Iterator[tuple[str, Page]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=f"http://{tenant.slug}.localhost:{base_port}",
        locale={"en": "en-US", "ja": "ja-JP"}[request.param],
    )
    yield request.param, context.new_page()
    context.close()


def test_an_owner_reads_and_filters_the_audit_log(language_page, owner_person):
    language, page = language_page
    words = WORDS[language]
    email_label, password_label, button = words["sign_in"]
    page.goto("/login")
    page.get_by_label(email_label).fill(owner_person.user.email)
    page.get_by_label(password_label).fill("not-the-password")
    page.get_by_role("button", name=button).click()
    if language == "en":
        sign_in(page, owner_person.user.email)
    else:
        page.get_by_label(password_label).fill(PASSWORD)
        page.get_by_role("button", name=button).click()
        page.wait_for_url("**/")
    page.goto("/audit")
    expect(page.get_by_role("heading", name=words["title"])).to_be_visible()
    rows = page.get_by_test_id("audit-row")
    expect(rows.first).to_have_attribute("data-action", "auth.signed_in")
    expect(rows.first).to_contain_text(words["signed_in"])
    expect(rows.first).to_contain_text("127.0.0.1")
    failed = page.locator('[data-testid="audit-row"][data-action="auth.sign_in_failed"]')
    expect(failed.first).to_contain_text(words["failed"])
    expect(failed.first).to_contain_text(owner_person.user.email)
    page.get_by_label(words["what"]).select_option(label=words["members"])
    page.get_by_role("button", name=words["show"], exact=True).click()
    expect(page.get_by_test_id("no-audit-entries")).to_contain_text(words["none"])
    expect(page).to_have_url(f"{page.url.split('?')[0]}?group=members&actor=&since=&until=")
