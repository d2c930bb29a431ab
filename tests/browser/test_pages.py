"""The pages a tenant user relies on, in a real browser (Debian's Chromium, driven by
Playwright) against the real web process."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_sign_in_set_and_cancel_a_reminder(page, tenant, committed_person):
    sign_in(page, committed_person.user.email)
    expect(page.get_by_test_id("tenant-name")).to_have_text(tenant.name)
    page.get_by_role("link", name="Reminders").click()
    expect(page.get_by_text("No reminders yet")).to_be_visible()
    page.get_by_label("Remind me of").fill("Send the invoice")
    page.get_by_label("When").select_option("30m")
    page.get_by_role("button", name="Set reminder").click()
    expect(page.get_by_text("Reminder set.")).to_be_visible()
    row = page.get_by_test_id("reminders").get_by_role("row", name="Send the invoice")
    expect(row).to_contain_text("Scheduled")
    row.get_by_role("button", name="Cancel").click()
    expect(
        page.get_by_test_id("reminders").get_by_role("row", name="Send the invoice")
    ).to_contain_text("Cancelled")


def test_notifications_page_and_language_switch(page, committed_person):
    sign_in(page, committed_person.user.email)
    page.get_by_test_id("bell").click()
    expect(page.get_by_text("Nothing new.")).to_be_visible()
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="お知らせ")).to_be_visible()


def test_wrong_password_says_why(page, committed_person):
    page.goto("/login")
    page.get_by_label("Email address").fill(committed_person.user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email address or password is not correct.")).to_be_visible()
