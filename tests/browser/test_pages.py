"""The pages a tenant user relies on, in a real browser (Debian's Chromium, driven by
Playwright) against the real web process."""

import os
import shutil
import socket
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests import processes
from tests.api import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_port(celery_env):
    port = free_port()
    server = processes.web(celery_env, port).start()
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            if not server.alive() or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield port
    server.stop()


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop in this thread; Django then refuses database
    # calls from the test's own fixtures unless told they are safe (they are: no coroutine
    # touches the connection).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--host-resolver-rules=MAP *.localhost 127.0.0.1",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, base_port, tenant):
    context = browser.new_context(
        base_url=f"http://{tenant.slug}.localhost:{base_port}", locale="en-US"
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/".join(page.url.split("/")[:3]) + "/")


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
