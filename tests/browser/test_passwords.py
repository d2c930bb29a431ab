"""Passwords and email verification in a real browser, in English and Japanese: changing the
password on the profile (another browser is signed out), "Forgot your password?" from the
sign-in page to a new password (the link then refused), and the banner that asks to verify
the email address until its link is opened."""

from collections.abc import Iterator

import pytest
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Browser, Page, expect

from apps.accounts.links import link_token
from apps.accounts.models import User
from apps.accounts.services.passwords import reset_tokens
from apps.accounts.services.verification import VERIFY_SALT
from tests.api import PASSWORD

NEW = "plum-tomato-harbour-42"
LOCALES = {"en": "en-US", "ja": "ja-JP"}
LANGUAGES = tuple(LOCALES)
SAID = {
    "en": {
        "changed": "Your password is changed. Your other sign-ins have ended.",
        "wrong": "Your current password is not correct.",
        "sent": "we have emailed it a link to choose a new password",
        "reset": "Your new password is set. Sign in with it; other sign-ins ended.",
        "invalid": "This link is no longer valid",
        "banner": "Please verify your email address",
        "again": "We have emailed a new link to",
        "verified": "Thank you: your email address is verified.",
        "forgot": "Forgot your password?",
        "change": "Change password",
        "send": "Email me a link",
        "set": "Set new password",
        "resend": "Send the link again",
        "request": "Request a new link",
    },
    "ja": {
        "changed": "パスワードを変更しました。ほかのサインインはすべて終了しました。",
        "wrong": "現在のパスワードが正しくありません。",
        "sent": "新しいパスワードを設定するリンクをメールで送りました",
        "reset": "新しいパスワードを設定しました。",
        "invalid": "このリンクはもう使えません",
        "banner": "の確認をお願いします",
        "again": "に新しいリンクを送りました。",
        "verified": "ありがとうございます。メールアドレスを確認しました。",
        "forgot": "パスワードをお忘れですか？",  # noqa: RUF001 - Japanese punctuation
        "change": "パスワードを変更",
        "send": "リンクをメールで送る",
        "set": "新しいパスワードを設定",
        "resend": "リンクを再送",
        "request": "新しいリンクを請求",
    },
}


@pytest.fixture
def open_page(browser: Browser, base_port: int, tenant) -> Iterator:  # type: ignore[no-untyped-def]
    """open_page(language): a new browser (its own cookies) on the company's host."""
    contexts = []

    def make(language: str) -> Page:
        context = browser.new_context(
            base_url=f"http://{tenant.slug}.localhost:{base_port}", locale=LOCALES[language]
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url("/".join(page.url.split("/")[:3]) + "/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_change_the_password_on_the_profile(open_page, committed_person, language):
    said = SAID[language]
    email = committed_person.user.email
    mine, elsewhere = open_page(language), open_page(language)
    sign_in(mine, email)
    sign_in(elsewhere, email)
    mine.goto("/profile")
    section = mine.get_by_test_id("password-section")
    section.locator("input[name=current_password]").fill("not-my-password")
    section.locator("input[name=new_password]").fill(NEW)
    section.locator("input[name=new_password_again]").fill(NEW)
    section.get_by_role("button", name=said["change"]).click()
    expect(mine.get_by_text(said["wrong"])).to_be_visible()
    section = mine.get_by_test_id("password-section")
    section.locator("input[name=current_password]").fill(PASSWORD)
    section.locator("input[name=new_password]").fill(NEW)
    section.locator("input[name=new_password_again]").fill(NEW)
    section.get_by_role("button", name=said["change"]).click()
    expect(mine.get_by_text(said["changed"])).to_be_visible()
    expect(mine).to_have_url(mine.url.split("/profile")[0] + "/profile")
    # The other browser is signed out; this one is not.
    elsewhere.goto("/profile")
    expect(elsewhere).to_have_url(elsewhere.url.split("/login")[0] + "/login?next=/profile")
    mine.goto("/profile")
    expect(mine.get_by_test_id("password-section")).to_be_visible()
    sign_in(open_page(language), email, NEW)


@pytest.mark.parametrize("language", LANGUAGES)
def test_forgot_password_from_the_sign_in_page(open_page, committed_person, language):
    said = SAID[language]
    user = committed_person.user
    page = open_page(language)
    page.goto("/login")
    page.get_by_role("link", name=said["forgot"]).click()
    page.locator("input[name=email]").fill(user.email)
    page.get_by_role("button", name=said["send"]).click()
    expect(page.get_by_text(said["sent"])).to_be_visible()
    # The emailed link (the web process's mail stays in its memory: made here alike).
    link = f"/password/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/"
    link += reset_tokens.make_token(User.objects.get(pk=user.pk))
    page.goto(link)
    page.locator("input[name=new_password]").fill(NEW)
    page.locator("input[name=new_password_again]").fill(NEW)
    page.get_by_role("button", name=said["set"]).click()
    expect(page.get_by_text(said["reset"])).to_be_visible()
    expect(page).to_have_url(page.url.split("/login")[0] + "/login")
    # Used once: the link is refused, with a way to ask for another.
    page.goto(link)
    expect(page.get_by_role("heading", name=said["invalid"])).to_be_visible()
    page.get_by_role("button", name=said["request"]).click()
    expect(page.locator("input[name=email]")).to_be_visible()
    sign_in(page, user.email, NEW)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_banner_asks_to_verify_until_the_link_is_opened(open_page, committed_person, language):
    said = SAID[language]
    user = committed_person.user
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    page = open_page(language)
    sign_in(page, user.email)
    page.goto("/files")
    banner = page.get_by_test_id("verify-banner")
    expect(banner).to_contain_text(said["banner"])
    banner.get_by_role("button", name=said["resend"]).click()
    expect(page).to_have_url(page.url.split("/files")[0] + "/files")
    expect(page.get_by_text(said["again"])).to_be_visible()
    page.goto(
        f"/verify-email?token={link_token({'u': user.pk, 'e': user.email}, salt=VERIFY_SALT)}"
    )
    expect(page.get_by_text(said["verified"])).to_be_visible()
    expect(page.get_by_test_id("verify-banner")).to_have_count(0)
