"""Two-factor in a real browser, in English and in Japanese: turning it on from the profile
(QR code and secret, a code from the app, the recovery codes shown once), then signing in
with the password and a code."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Page, expect

from tests.api import PASSWORD

LOCALES = {"en": "en-US", "ja": "ja-JP"}
WORDS = {
    "en": {
        "heading": "Two-factor sign-in",
        "turn_on": "Turn on",
        "confirm": "Confirm and turn on",
        "done": "Two-factor sign-in is on.",
        "second_step": "Enter the 6-digit code",
        "sign_in": "Sign in",
    },
    "ja": {
        "heading": "2段階認証",
        "turn_on": "有効にする",
        "confirm": "確認して有効にする",
        "done": "2段階認証を有効にしました。",
        "second_step": "認証アプリに表示されるKuraの6桁のコード",
        "sign_in": "サインイン",
    },
}


def app_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app that scanned `secret` shows."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def tab(browser: Browser, base_port: int, tenant, language: str) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=f"http://{tenant.slug}.localhost:{base_port}", locale=LOCALES[language]
    )
    return context.new_page()


def password_step(page: Page, email: str, words: dict[str, str]) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()


@pytest.mark.parametrize("language", LOCALES)
def test_turn_on_two_factor_then_sign_in_with_a_code(
    browser, base_port, tenant, committed_person, language
):
    words = WORDS[language]
    email = committed_person.user.email
    page = tab(browser, base_port, tenant, language)
    password_step(page, email, words)
    expect(page).to_have_url(f"http://{tenant.slug}.localhost:{base_port}/")

    page.goto("/profile")
    section = page.get_by_test_id("profile-two-factor")
    section.get_by_role("link", name=words["turn_on"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["heading"])
    expect(page.get_by_test_id("two-factor-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("two-factor-secret").inner_text()
    page.locator("input[name=code]").fill(app_code(secret))
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page.get_by_text(words["done"])).to_be_visible()
    codes = page.get_by_test_id("recovery-codes-text").input_value().split()
    assert len(codes) == 10
    page.reload()
    expect(page.get_by_test_id("recovery-codes")).to_have_count(0)  # shown once
    expect(page.get_by_test_id("two-factor-on")).to_be_visible()
    page.context.close()

    page = tab(browser, base_port, tenant, language)
    password_step(page, email, words)
    expect(page).to_have_url(f"http://{tenant.slug}.localhost:{base_port}/login/two-factor")
    expect(page.get_by_test_id("second-step")).to_be_visible()
    expect(page.locator("main")).to_contain_text(words["second_step"])
    page.locator("input[name=code]").fill(app_code(secret, steps_ahead=1))
    page.get_by_test_id("second-step").get_by_role("button", name=words["sign_in"]).click()
    expect(page).to_have_url(f"http://{tenant.slug}.localhost:{base_port}/")
    page.goto("/profile")
    expect(page.get_by_test_id("profile-two-factor")).not_to_contain_text(
        "Off" if language == "en" else "無効"
    )
    page.context.close()
