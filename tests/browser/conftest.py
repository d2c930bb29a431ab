"""The browser tests' set-up: one web process per module (real runserver on loopback) and
one Debian Chromium per module, driven by Playwright."""

import os
import shutil
import socket
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests import processes
from tests.api import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# What scripts/frontend.sh installs (make install): the pages' CSS and JS, axe-core.
FRONTEND = (
    processes.ROOT / "static" / "vendor" / ".installed",
    processes.ROOT / "frontend" / "node_modules" / "axe-core",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_port(request, celery_env) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """The web app on a free port; a module may set WEB_ENV, extra environment for it."""
    port = free_port()
    # Links to another host (signup, moving between companies) name the configured port.
    env = {**celery_env, "KURA_PUBLIC_PORT": str(port), **getattr(request.module, "WEB_ENV", {})}
    server = processes.web(env, port).start()
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
def browser() -> Iterator[Browser]:
    missing = [str(path) for path in FRONTEND if not path.exists()]
    if missing:
        pytest.fail(f"front-end packages missing ({', '.join(missing)}): run ./scripts/frontend.sh")
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
                "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, base_port, tenant) -> Iterator[Page]:  # type: ignore[no-untyped-def]
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
