"""Every page people use, at a desktop and a phone width, in English and Japanese, in a real
browser: no sideways scrolling of the page, no console error, no 5xx, no control smaller
than a fingertip (44 px), no serious or critical accessibility violation (axe-core, from
frontend/node_modules), and no English left on a Japanese page."""

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page

from apps.accounts.models import ApiKey, Membership, User
from apps.accounts.principal import Principal, SystemActor
from apps.accounts.services import api_key_create
from apps.accounts.services.passwords import reset_tokens
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.orders.models import InvoiceSettings, Order
from apps.orders.services import LineInput, order_place, payment_record
from apps.posts.models import Post
from apps.posts.services import post_create, post_schedule
from apps.reminders.models import Reminder
from apps.reminders.services import reminder_create
from apps.search.models import OutboxEntry
from tests.accounts.factories import MembershipFactory
from tests.browser.conftest import sign_in
from tests.conftest import COMMITTED_DOMAIN
from tests.processes import LOGS

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


class Target(NamedTuple):
    name: str
    host: str  # "tenant" or "public"
    path: str
    signed_in: bool


PAGES = [
    Target("home", "tenant", "/", signed_in=True),
    Target("login", "tenant", "/login", signed_in=False),
    Target("profile", "tenant", "/profile", signed_in=True),
    Target("password-change", "tenant", "/profile/password", signed_in=True),
    Target("password-reset", "tenant", "/password/reset", signed_in=False),
    Target("password-reset-confirm", "tenant", "/password/reset/{reset}", signed_in=False),
    Target("two-factor", "tenant", "/profile/two-factor", signed_in=True),
    Target("members", "tenant", "/members", signed_in=True),
    Target("api-keys", "tenant", "/api-keys", signed_in=True),
    Target("usage", "tenant", "/usage", signed_in=True),
    Target("reauth", "tenant", "/reauth?next=/api-keys", signed_in=True),
    Target("company-delete", "tenant", "/company/delete", signed_in=True),
    Target("reminders", "tenant", "/reminders", signed_in=True),
    Target("notifications", "tenant", "/notifications", signed_in=True),
    Target("files", "tenant", "/files", signed_in=True),
    Target("feed", "tenant", "/feed", signed_in=True),
    Target("feed-archive", "tenant", "/feed/archive", signed_in=True),
    Target("feed-scheduled", "tenant", "/feed/scheduled", signed_in=True),
    Target("catalog", "tenant", "/catalog", signed_in=True),
    Target("catalog-manage", "tenant", "/catalog/manage", signed_in=True),
    Target("catalog-product-new", "tenant", "/catalog/manage/products/new", signed_in=True),
    Target("cart", "tenant", "/cart", signed_in=True),
    Target("orders", "tenant", "/orders", signed_in=True),
    Target("orders-all", "tenant", "/orders/all", signed_in=True),
    Target("audit", "tenant", "/audit", signed_in=True),
    Target("order", "tenant", "/orders/{order}", signed_in=True),
    Target("order-invoice", "tenant", "/orders/{paid_order}/invoice", signed_in=True),
    Target("invoice-settings", "tenant", "/orders/invoice-settings", signed_in=True),
    Target("product", "tenant", "/catalog/{product}", signed_in=True),
    Target("landing", "public", "/", signed_in=False),
    Target("signup", "public", "/signup", signed_in=False),
    Target("find-company", "public", "/find", signed_in=False),
    Target("public-password-reset", "public", "/password/reset", signed_in=False),
    Target("operator-two-factor", "public", "/account/two-factor", signed_in=False),
]
WIDTHS = (1280, 390)
LANGUAGES = ("en", "ja")

# Words of our templates that a Japanese page must not show in English.
ENGLISH = (
    "Sign in",
    "Sign out",
    "Home",
    "Members",
    "Reminders",
    "Notifications",
    "Your profile",
    "Save",
    "Cancel",
    "Delete",
    "Remove",
    "Revoke",
    "Role",
    "Status",
    "Name",
    "Email address",
    "Password",
    "Message",
    "When",
    "Scheduled",
    "API keys",
    "API docs",
    "Start a company",
    "Create company",
    "Set reminder",
    "Invite someone",
    "Send invitation",
    "Create key",
    "Your companies",
    "Forgot your password?",
    "Change password",
    "Current password",
    "New password",
    "Operators",
    "Menu",
    "Skip to content",
    "New",
    "Feed",
    "Post now",
    "Save as draft",
    "Drafts",
    "Archive",
    "Edit",
    "Catalog",
    "Products",
    "Brands",
    "Categories",
    "New product",
    "Search products",
    "No products match.",
    "Cart",
    "Orders",
    "Your orders",
    "All orders",
    "Add to cart",
    "Place order",
    "Pay (demo)",
    "Cancel order",
    "Payments",
    "Quantity",
    "Total",
    "Usage",
    "Today",
    "Storage",
    "API requests",
)
# Ids of what the owner's fixture made, for the paths that name one.
MADE: dict[str, int | str] = {}

# Controls (not links inside a sentence) and whether each is under 44 x 44 px.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, [role=button], summary, select, textarea, nav a,'
    + ' input:not([type=hidden], [type=checkbox], [type=radio])')]
  .filter((el) => el.checkVisibility())
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => Math.round(box.width) < 44 || Math.round(box.height) < 44)
  .map(([el, box]) => `${el.tagName.toLowerCase()} "${(el.innerText || el.name || '').trim()}"`
    + ` ${Math.round(box.width)}x${Math.round(box.height)}`)"""

# Form controls whose border is under 3:1 against the (white) page: WCAG 1.4.11, which
# axe-core does not check.
FAINT_BORDERS = """() => {
  const luminance = (color) => color.match(/[\\d.]+/g).slice(0, 3).map(Number)
    .map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  return [...document.querySelectorAll(
      'select, textarea, input:not([type=hidden], [type=submit], [type=button], [type=file])')]
    .filter((el) => el.checkVisibility())
    .map((el) => [el, 1.05 / (luminance(getComputedStyle(el).borderTopColor) + 0.05)])
    .filter(([el, ratio]) => ratio < 3)
    .map(([el, ratio]) => `${el.name || el.type} ${ratio.toFixed(2)}:1`);
}"""

AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""


@dataclass
class Tab:
    """One browser page, reused for every page of one width, language and session; what
    it saw since the last `reset`."""

    page: Page
    errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.errors.clear()
        self.server_errors.clear()


@pytest.fixture(scope="module")
def owner_email(tenants, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An owner with something on every page: a reminder, notifications, an API key, a
    colleague whose address is long, and posts (published, scheduled, a draft)."""
    tenant = tenants[0]
    stamp = time.monotonic_ns()
    with django_db_blocker.unblock():
        owner = MembershipFactory(
            tenant=tenant, role=Membership.Role.OWNER, user__email=f"o{stamp}{COMMITTED_DOMAIN}"
        )
        MembershipFactory(
            tenant=tenant,
            user__email=f"a.rather.long.address.for.a.colleague.{stamp}{COMMITTED_DOMAIN}",
        )
        api_key_create(
            tenant=tenant,
            name=f"Accounting {stamp}",
            scope="read",
            actor=Principal.of_membership(owner),
        )
        # A reset link of someone who does not sign in (a sign-in would make it useless).
        forgetful = MembershipFactory(tenant=tenant, user__email=f"f{stamp}{COMMITTED_DOMAIN}")
        MADE["reset"] = f"{urlsafe_base64_encode(force_bytes(forgetful.user.pk))}/" + (
            reset_tokens.make_token(forgetful.user)
        )
        with schema_context(tenant.schema_name):
            reminder = reminder_create(
                tenant=tenant,
                actor=Principal.of_membership(owner),
                message="Send the invoice",
                delay=3600,
            )
            for title, link in (("Send the invoice", f"/reminders#reminder-{reminder.pk}"),):
                notification_create(user=owner.user, kind="reminder", title=title, link=link)
            actor = Principal.of_membership(owner)
            post_create(
                tenant=tenant,
                actor=actor,
                body=f"The office is closed on Friday: https://example.com/{stamp} @nobody",
            )
            post_create(tenant=tenant, actor=actor, body="Minutes of the meeting", draft=True)
            post_schedule(
                tenant=tenant,
                actor=actor,
                body="Happy new year",
                publish_at=timezone.now() + timedelta(days=30),
            )
            product = product_create(
                tenant=tenant,
                actor=SystemActor(tenant, "tests"),
                fields={"name": "Green tea", "sku": f"T{stamp}", "price": 500, "stock": 10},
            )
            MADE["product"] = product.pk
            MADE["order"] = order_place(
                tenant=tenant,
                actor=actor,
                lines=[LineInput(product_id=product.pk, quantity=2)],
                idempotency_key=f"every-page-{stamp}",
            ).order.pk
            # A paid order of a reduced-rate and a standard-rate line, and its invoice's seller.
            matcha = product_create(
                tenant=tenant,
                actor=SystemActor(tenant, "tests"),
                fields={"name": "Matcha", "sku": f"M{stamp}", "price": 1080, "stock": 10}
                | {"tax_class": "reduced"},
            )
            paid = order_place(
                tenant=tenant,
                actor=actor,
                lines=[LineInput(product_id=p.pk, quantity=1) for p in (product, matcha)],
                idempotency_key=f"every-page-paid-{stamp}",
            ).order
            payment_record(
                tenant=tenant,
                event_id=f"every-page-{stamp}",
                order_number=paid.number,
                amount=paid.total,
                reference="test",
            )
            InvoiceSettings.objects.create(
                seller_name="株式会社クラ商店", registration_number="T7000012050002"
            )
            MADE["paid_order"] = paid.pk
        connection.set_schema_to_public()
    yield owner.user.email
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        Job.objects.all().delete()
        ApiKey.objects.filter(name=f"Accounting {stamp}").delete()
        with schema_context(tenant.schema_name):
            Reminder.objects.all().delete()
            Notification.objects.all().delete()
            Post.objects.all().delete()
            Order.objects.all().delete()
            Product.objects.all().delete()
            InvoiceSettings.objects.all().delete()
        OutboxEntry.objects.filter(tenant=tenant).delete()
        User.objects.filter(email__endswith=COMMITTED_DOMAIN).delete()


@pytest.fixture(scope="module")
def tab_for(  # type: ignore[no-untyped-def]
    browser: Browser, base_port: int, tenants, owner_email: str
) -> Iterator[Callable[..., Tab]]:
    """tab_for(host, width, language, signed_in): a tab, made on first use."""
    hosts = {"tenant": f"{tenants[0].slug}.localhost", "public": "localhost"}
    contexts = []
    tabs: dict[tuple[str, int, str, bool], Tab] = {}
    session: dict = {}

    def make(host: str, width: int, language: str, signed_in: bool) -> Tab:
        key = (host, width, language, signed_in)
        if key in tabs:
            return tabs[key]
        if signed_in and not session:
            context = browser.new_context(
                base_url=f"http://{hosts['tenant']}:{base_port}", locale="en-US"
            )
            sign_in(context.new_page(), owner_email)
            session.update(context.storage_state())
            context.close()
        context = browser.new_context(
            base_url=f"http://{hosts[host]}:{base_port}",
            locale={"en": "en-US", "ja": "ja-JP"}[language],
            viewport={"width": width, "height": 900},
            storage_state=session if signed_in else None,
        )
        contexts.append(context)
        tab = Tab(context.new_page())
        tab.page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        tab.page.on("pageerror", lambda e: tab.errors.append(str(e)))
        tab.page.on(
            "response",
            lambda r: tab.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
        )
        tabs[key] = tab
        return tab

    yield make
    for context in contexts:
        context.close()


def english_on(text: str) -> set[str]:
    return {
        word
        for word in ENGLISH
        if re.search(rf"(?<![A-Za-z0-9_/]){re.escape(word)}(?![A-Za-z0-9_/])", text)
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("target", PAGES, ids=[p.name for p in PAGES])
def test_page(tab_for, target, width, language):
    tab = tab_for(target.host, width, language, target.signed_in)
    tab.reset()
    response = tab.page.goto(target.path.format(**MADE))
    assert response is not None
    assert response.status == 200, (response.status, response.url)
    assert tab.page.evaluate("document.documentElement.lang") == language
    tab.page.add_script_tag(path=AXE)
    if os.environ.get("KURA_SCREENSHOTS"):  # to look at every page: .data/test-logs/pages/
        tab.page.screenshot(
            path=LOGS / "pages" / f"{target.name}-{width}-{language}.png", full_page=True
        )
    problems = {
        "page scrolls sideways by (px)": tab.page.evaluate(
            "Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"
        ),
        "console errors": tab.errors,
        "server errors": tab.server_errors,
        "controls under 44 px": tab.page.evaluate(SMALL_TARGETS),
        "control borders under 3:1": tab.page.evaluate(FAINT_BORDERS),
        "serious or critical accessibility violations": tab.page.evaluate(AXE_RUN),
    }
    assert {what: found for what, found in problems.items() if found and found != 0} == {}
    if language == "ja":
        assert english_on(tab.page.evaluate("document.body.innerText")) == set()
