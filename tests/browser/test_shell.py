"""The page shell in a real browser: the menu on a phone, the skip link, the live bell,
notifications that lead to their object, and the API docs' way back."""

import re

from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.principal import Principal
from apps.notifications.services import notification_create
from apps.reminders.services import reminder_create
from tests.browser.conftest import sign_in

# The bell is asked for every second here (30 s in production), so a test sees it change.
WEB_ENV = {"KURA_BELL_POLL_SECONDS": "1"}


def notify(tenant, membership, title: str, link: str = "") -> None:
    with schema_context(tenant.schema_name):
        notification_create(user=membership.user, kind="test", title=title, link=link)
    connection.set_schema_to_public()


def test_on_a_phone_the_links_fold_into_a_menu(page, committed_person):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, committed_person.user.email)
    reminders = page.get_by_role("link", name="Reminders")
    expect(reminders).to_be_hidden()
    menu = page.get_by_test_id("menu")
    menu.get_by_text("Menu").click()
    expect(reminders).to_be_visible()
    page.keyboard.press("Escape")
    expect(reminders).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()
    menu.get_by_text("Menu").click()
    reminders.click()
    expect(page.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    menu.get_by_text("Menu").click()
    expect(reminders).to_have_attribute("aria-current", "page")


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page, committed_person):
    sign_in(page, committed_person.user.email)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_bell_counts_new_notifications_without_a_reload(page, tenant, committed_person):
    sign_in(page, committed_person.user.email)
    bell = page.get_by_test_id("bell")
    expect(bell).to_have_attribute("aria-label", "Notifications")
    page.evaluate("window.sameDocument = true")
    notify(tenant, committed_person, "Payroll is due")
    notify(tenant, committed_person, "Call the bank")
    expect(bell).to_have_attribute("aria-label", "Notifications, 2 unread", timeout=5000)
    expect(page.get_by_test_id("unread")).to_have_text("2")
    assert page.evaluate("window.sameDocument") is True


def test_a_notification_opens_its_object_and_is_read(page, tenant, committed_person):
    with schema_context(tenant.schema_name):
        reminder = reminder_create(
            tenant=tenant,
            actor=Principal.of_membership(committed_person),
            message="Send the invoice",
            delay=3600,
        )
    notify(tenant, committed_person, "Send the invoice", f"/reminders#reminder-{reminder.pk}")
    notify(tenant, committed_person, "Nothing to open")
    sign_in(page, committed_person.user.email)
    bell = page.get_by_test_id("bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, 2 unread")
    bell.click()
    items = page.get_by_test_id("notifications")
    expect(items.get_by_text("New")).to_have_count(2)
    expect(bell).to_have_attribute("aria-label", "Notifications")
    items.get_by_role("link", name="Send the invoice").click()
    expect(page).to_have_url(re.compile(rf"^http://[^/]+/reminders#reminder-{reminder.pk}$"))
    page.go_back()
    page.reload()
    expect(page.get_by_test_id("notifications").get_by_text("New")).to_have_count(0)


def test_the_api_docs_say_where_to_call_and_lead_back(page, tenant):
    page.goto("/api/docs")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.get_by_text("<slug>.<base domain>")).to_be_visible()
    page.get_by_role("link", name=f"Back to {tenant.name}").click()
    expect(page.get_by_role("heading", name=f"Welcome to {tenant.name}")).to_be_visible()


def test_a_form_with_data_confirm_is_sent_only_once_confirmed(page, committed_person):
    sign_in(page, committed_person.user.email)
    page.evaluate(
        """document.querySelector('main').insertAdjacentHTML('beforeend',
        '<form data-confirm="Really?" action="/notifications"><button>Go</button></form>')"""
    )
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Go").click()
    page.wait_for_timeout(300)
    assert asked == ["Really?"]
    assert page.url.endswith("/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
