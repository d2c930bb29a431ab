"""The browser tests' set-up: one web process per session (real runserver on loopback; one
more for each special environment a module asks for) and one Debian Chromium per module,
driven by Playwright.

Chromium stays per module: it starts in half a second, and Playwright's sync API keeps an
event loop running in the test thread while it lives, which Django must be told to allow
and which `asyncio.run` in a later test on the same worker would refuse."""

import os
import shutil
import socket
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

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


class WebServers:
    """The session's web processes: one for each environment a module asks for (WEB_ENV),
    started when a module first needs it and kept until the session ends."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.ports: dict[tuple[tuple[str, str], ...], int] = {}
        self.servers: list[processes.Process] = []

    def port_for(self, extra: dict[str, str]) -> int:
        key = tuple(sorted(extra.items()))
        if key not in self.ports:
            self.ports[key] = self._start(extra, name=f"web-{len(self.ports)}")
        return self.ports[key]

    def _start(self, extra: dict[str, str], name: str) -> int:
        port = free_port()
        # Links to another host (signup, moving between companies) name the configured port.
        env = {**self.env, "KURA_PUBLIC_PORT": str(port), **extra}
        server = processes.web(env, port, name=name).start()
        self.servers.append(server)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                if not server.alive() or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return port

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture(scope="session")
def web_servers(celery_env) -> Iterator[WebServers]:  # type: ignore[no-untyped-def]
    servers = WebServers(celery_env)
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def base_port(request, web_servers: WebServers) -> int:  # type: ignore[no-untyped-def]
    """The port of the web app for this module: the session's, or one of its own when the
    module sets WEB_ENV (extra environment for it), shared by modules that set the same."""
    return web_servers.port_for(getattr(request.module, "WEB_ENV", {}))


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


LOCALES = {"en": "en-US", "ja": "ja-JP"}


def signed_in_context(
    browser: Browser, base_url: str, email: str, *, language: str, width: int
) -> BrowserContext:
    """A browser context of `email`, signed in once through the login page (in English), then
    browsing in `language` at `width` px with that session. The caller closes it."""
    signing = browser.new_context(base_url=base_url, locale="en-US")
    sign_in(signing.new_page(), email)
    state = signing.storage_state()
    signing.close()
    return browser.new_context(
        base_url=base_url,
        locale=LOCALES[language],
        storage_state=state,
        viewport={"width": width, "height": 900},
    )
