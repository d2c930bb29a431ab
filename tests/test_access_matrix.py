"""Every URL of a tenant's host, for every kind of caller, answers what the access rules say.

The table below names each route of config/urls_tenant.py (API and pages) with the status
each caller gets: the four roles, an API key of each scope, an anonymous caller and a
member of another company. A route added to the URLconf without a row here fails
`test_every_route_has_a_row`, so every new endpoint states who may reach it.
"""

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import Membership
from apps.accounts.principal import Principal, SystemActor
from apps.accounts.services import api_key_create, auth_token_issue, invitation_create
from apps.catalog.services import brand_create, category_create, product_create
from apps.notifications.services import notification_create
from apps.orders.services import LineInput, order_place
from apps.posts.services import post_create, post_schedule
from apps.reminders.services import reminder_create
from apps.search.services import synonym_create
from apps.tenants.models import Tenant
from apps.tenants.selectors import plan_limits_forget
from tests.accounts.factories import MembershipFactory
from tests.conftest import host_of, module_world, reauthenticate
from tests.files.factories import ready_file, store_left_clean, uploading_file
from tests.tenants.factories import PlanFactory

pytestmark = pytest.mark.django_db

CALLERS = ("owner", "admin", "member", "viewer", "key_read", "key_write", "anonymous", "other")
PEOPLE = CALLERS[:4]


def row(*statuses: int) -> dict[str, int]:
    """Statuses in the order of CALLERS."""
    return dict(zip(CALLERS, statuses, strict=True))


def same(status: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


# What people's own objects answer: 200 to their person, 404 to everyone else who may look
# (a reminder or notification is its person's own, whatever their role).
OWN = row(404, 404, 200, 404, 403, 403, 401, 403)
PERSON_READ = row(200, 200, 200, 200, 403, 403, 401, 403)
PERSON_WRITE = row(201, 201, 201, 403, 403, 403, 401, 403)
# An upload is its uploader's (a person here): others who may write get 404; readers 403.
UPLOADER = row(404, 404, 200, 403, 403, 404, 401, 403)
COMPANY_READ = row(200, 200, 200, 200, 200, 200, 401, 403)
PAGE = row(200, 200, 200, 200, 302, 302, 302, 302)
MANAGERS_PAGE = row(200, 200, 403, 403, 302, 302, 302, 302)
OWNERS_PAGE = row(200, 403, 403, 403, 302, 302, 302, 302)
# A post changed by its author (the member's) or a manager; keys have no posts.
AUTHORED = row(200, 200, 200, 403, 403, 403, 401, 403)
IN_A_DAY = (timezone.now() + timedelta(days=1)).isoformat()
# The catalog: owners, admins and API keys that may write change it.
CATALOG_WRITE = row(201, 201, 403, 403, 403, 201, 401, 403)
CATALOG_CHANGE = row(200, 200, 403, 403, 403, 200, 401, 403)
CATALOG_DELETE = row(204, 204, 403, 403, 403, 204, 401, 403)

# (route name, method) -> (path, body, expected status per caller)
MATRIX: dict[tuple[str, str], tuple[str, dict | None, dict[str, int]]] = {
    # --- API ---------------------------------------------------------------------------
    ("auth-login", "post"): ("/auth/login", {}, same(400)),
    ("auth-refresh", "post"): ("/auth/refresh", {}, same(400)),
    ("auth-logout", "post"): ("/auth/logout", None, row(204, 204, 204, 204, 401, 401, 401, 403)),
    ("profile-api", "get"): ("/api/profile", None, PERSON_READ),
    # People's own tokens only (a wrong current password here: 422); keys have no password.
    ("profile-password-api", "post"): (
        "/api/profile/password",
        {"current_password": "wrong", "new_password": "plum-tomato-harbour-42"},
        row(422, 422, 422, 422, 401, 401, 401, 403),
    ),
    ("profile-sessions-api", "get"): ("/api/profile/sessions", None, PERSON_READ),
    # "Everywhere else": each caller's own sign-ins but the one calling (none here).
    ("profile-sessions-api", "delete"): ("/api/profile/sessions", None, PERSON_READ),
    # Nobody has a sign-in of this id.
    ("profile-session-api", "delete"): (
        "/api/profile/sessions/wnone",
        None,
        row(404, 404, 404, 404, 403, 403, 401, 403),
    ),
    ("reminders-api", "get"): ("/api/reminders", None, PERSON_READ),
    ("reminders-api", "post"): ("/api/reminders", {"message": "m", "delay": 60}, PERSON_WRITE),
    ("reminder-api", "get"): ("/api/reminders/{reminder}", None, OWN),
    ("reminder-api", "delete"): (
        "/api/reminders/{reminder}",
        None,
        row(404, 404, 200, 403, 403, 403, 401, 403),
    ),
    ("notifications-api", "get"): ("/api/notifications", None, PERSON_READ),
    ("notifications-read-all", "post"): (
        "/api/notifications/read-all",
        None,
        row(204, 204, 204, 204, 403, 403, 401, 403),
    ),
    ("notification-read", "post"): ("/api/notifications/{notification}/read", None, OWN),
    ("upload-initiate", "post"): (
        "/api/upload/initiate",
        {"name": "a.txt", "size": 5, "content_type": "text/plain"},
        row(201, 201, 201, 403, 403, 201, 401, 403),
    ),
    ("upload-parts", "get"): (
        "/api/upload/{upload}/parts",
        None,
        row(404, 404, 200, 404, 404, 404, 401, 403),
    ),
    ("upload-parts", "post"): ("/api/upload/{upload}/parts", {"part_numbers": [1]}, UPLOADER),
    # Aborting reaches the store, which no rollback undoes: each caller aborts one of its own.
    ("upload-api", "delete"): ("/api/upload/{fresh_upload}", None, UPLOADER),
    ("upload-complete", "post"): ("/api/upload/complete", {"file_id": "{sent}"}, UPLOADER),
    ("files-api", "get"): ("/api/files", None, COMPANY_READ),
    ("file-api", "get"): ("/api/files/{file}", None, COMPANY_READ),
    # Each caller deletes a file of its own making (the member's upload): the uploader and
    # managers may; a key that may write did not upload it.
    ("file-api", "delete"): (
        "/api/files/{fresh_file}",
        None,
        row(204, 204, 204, 403, 403, 403, 401, 403),
    ),
    ("file-download", "get"): ("/api/files/{file}/download", None, COMPANY_READ),
    ("posts-api", "get"): ("/api/posts", None, COMPANY_READ),
    ("posts-api", "post"): ("/api/posts", {"body": "x"}, PERSON_WRITE),
    ("posts-schedule", "post"): (
        "/api/posts/schedule",
        {"body": "x", "publish_at": IN_A_DAY},
        PERSON_WRITE,
    ),
    ("post-api", "get"): ("/api/posts/{post}", None, COMPANY_READ),
    ("post-api", "patch"): ("/api/posts/{fresh_post}", {"body": "y"}, AUTHORED),
    ("post-api", "delete"): (
        "/api/posts/{fresh_post}",
        None,
        row(204, 204, 204, 403, 403, 403, 401, 403),
    ),
    # A scheduled post is its author's alone until published: others who may write get 404.
    ("post-schedule-api", "patch"): (
        "/api/posts/schedule/{fresh_scheduled}",
        {"publish_at": IN_A_DAY},
        UPLOADER,
    ),
    ("post-schedule-api", "delete"): ("/api/posts/schedule/{fresh_scheduled}", None, UPLOADER),
    ("categories-api", "get"): ("/api/categories", None, COMPANY_READ),
    ("categories-api", "post"): ("/api/categories", {"name": "{unique}"}, CATALOG_WRITE),
    ("category-api", "get"): ("/api/categories/{category}", None, COMPANY_READ),
    ("category-api", "patch"): (
        "/api/categories/{fresh_category}",
        {"name": "{unique}"},
        CATALOG_CHANGE,
    ),
    ("category-api", "delete"): ("/api/categories/{fresh_category}", None, CATALOG_DELETE),
    ("brands-api", "get"): ("/api/brands", None, COMPANY_READ),
    ("brands-api", "post"): ("/api/brands", {"name": "{unique}"}, CATALOG_WRITE),
    ("brand-api", "get"): ("/api/brands/{brand}", None, COMPANY_READ),
    ("brand-api", "patch"): ("/api/brands/{fresh_brand}", {"name": "{unique}"}, CATALOG_CHANGE),
    ("brand-api", "delete"): ("/api/brands/{fresh_brand}", None, CATALOG_DELETE),
    ("products-api", "get"): ("/api/products", None, COMPANY_READ),
    ("products-api", "post"): (
        "/api/products",
        {"name": "n", "sku": "{unique}", "price": 1},
        CATALOG_WRITE,
    ),
    # No file: 400 for those who may import.
    ("products-import", "post"): (
        "/api/products/import",
        None,
        row(400, 400, 403, 403, 403, 400, 401, 403),
    ),
    ("product-api", "get"): ("/api/products/{product}", None, COMPANY_READ),
    ("product-api", "patch"): ("/api/products/{fresh_product}", {"price": 2}, CATALOG_CHANGE),
    ("product-api", "delete"): ("/api/products/{fresh_product}", None, CATALOG_DELETE),
    # Search reads the catalog; the company's synonyms are kept by those who change it.
    ("search-api", "get"): ("/api/search?q=thing", None, COMPANY_READ),
    ("search-suggest-api", "get"): ("/api/search/suggest?q=th", None, COMPANY_READ),
    ("search-synonyms-api", "get"): ("/api/search/synonyms", None, COMPANY_READ),
    ("search-synonyms-api", "post"): (
        "/api/search/synonyms",
        {"terms": ["ポチ袋", "お年玉袋"]},
        CATALOG_WRITE,
    ),
    ("search-synonym-api", "delete"): (
        "/api/search/synonyms/{fresh_synonym}",
        None,
        CATALOG_DELETE,
    ),
    ("orders-api", "get"): ("/api/orders", None, PERSON_READ),
    ("orders-api", "post"): (
        "/api/orders",
        {"lines": [{"product_id": "{product}", "quantity": 1}], "idempotency_key": "{unique}"},
        PERSON_WRITE,
    ),
    # The member's order: its buyer and managers; a viewer finds nothing.
    ("order-api", "get"): (
        "/api/orders/{order}",
        None,
        row(200, 200, 200, 404, 403, 403, 401, 403),
    ),
    ("order-invoice-api", "get"): (
        "/api/orders/{order}/invoice",
        None,
        row(409, 409, 409, 404, 403, 403, 401, 403),
    ),
    ("order-cancel-api", "post"): ("/api/orders/{fresh_order}/cancel", None, AUTHORED),
    # No signature: nobody's credentials stand in for one.
    ("payments-webhook", "post"): ("/api/payments/webhook", {}, same(401)),
    ("payments-secret", "post"): (
        "/api/payments/secret",
        None,
        row(201, 201, 403, 403, 403, 403, 401, 403),
    ),
    ("invoice-settings-api", "get"): (
        "/api/invoice-settings",
        None,
        row(200, 200, 403, 403, 403, 403, 401, 403),
    ),
    ("invoice-settings-api", "put"): (
        "/api/invoice-settings",
        {"seller_name": "株式会社クラ", "registration_number": "", "rounding": "down"},
        row(200, 200, 403, 403, 403, 403, 401, 403),
    ),
    ("tenant-detail", "get"): ("/api/tenant", None, row(200, 200, 200, 200, 200, 200, 200, 403)),
    ("schema", "get"): ("/api/schema", None, same(200)),
    ("docs", "get"): ("/api/docs", None, same(200)),
    ("api-not-found", "get"): ("/api/no/such/thing", None, same(404)),
    # --- pages ---------------------------------------------------------------------------
    ("home", "get"): ("/", None, same(200)),
    ("login", "get"): ("/login", None, row(302, 302, 302, 302, 200, 200, 200, 200)),
    # No sign-in waits for its second step here: everyone is sent back to the sign-in page.
    ("login-two-factor", "get"): ("/login/two-factor", None, same(302)),
    ("logout", "post"): ("/logout", {}, same(302)),
    ("unlock", "get"): ("/unlock?token=forged", None, same(302)),
    ("profile", "get"): ("/profile", None, PAGE),
    ("password-change", "get"): ("/profile/password", None, PAGE),
    ("password-reset", "get"): ("/password/reset", None, same(200)),
    # A forged reset or verification link: the page saying it is not valid.
    ("password-reset-confirm", "get"): ("/password/reset/AAAA/forged", None, same(400)),
    ("email-verify", "get"): ("/verify-email?token=forged", None, same(400)),
    # The banner's "send again": back to the page (people), or to sign in.
    ("email-verify-send", "post"): ("/verify-email/send", {}, same(302)),
    ("reauth", "get"): ("/reauth?next=/api-keys", None, PAGE),
    # Owners only (its POST, with the company's name, deletes it: tests/accounts).
    ("company-delete", "get"): (
        "/company/delete",
        None,
        row(200, 403, 403, 403, 302, 302, 302, 302),
    ),
    ("sessions-end-all", "post"): ("/profile/sessions/end-all", {}, same(302)),
    # Not a sign-in of anyone's: back to the profile with a message (people), or to sign in.
    ("session-end", "post"): ("/profile/sessions/wnone/end", {}, same(302)),
    ("two-factor", "get"): ("/profile/two-factor", None, PAGE),
    # An empty form: the page again, with the errors, for every person.
    ("two-factor-recovery", "post"): ("/profile/two-factor/recovery-codes", {}, PAGE),
    ("two-factor-disable", "post"): ("/profile/two-factor/disable", {}, PAGE),
    ("members", "get"): ("/members", None, MANAGERS_PAGE),
    # Only owners require two-factor of everyone (an empty form leaves it off).
    (
        "members-two-factor",
        "post",
    ): ("/members/two-factor", {}, row(302, 403, 403, 403, 302, 302, 302, 302)),
    # Confirmation pages (their POST does the deed), about the member, an invitation, a key.
    ("member-remove", "get"): ("/members/{member}/remove", None, MANAGERS_PAGE),
    ("member-suspend", "get"): ("/members/{member}/suspend", None, MANAGERS_PAGE),
    (
        "invitation-revoke",
        "get",
    ): ("/members/invitations/{invitation}/withdraw", None, MANAGERS_PAGE),
    ("api-keys", "get"): ("/api-keys", None, MANAGERS_PAGE),
    ("api-key-revoke", "get"): ("/api-keys/{key}/revoke", None, MANAGERS_PAGE),
    # What the company used against its plan: the people who run it (apps.usage.policies).
    ("usage", "get"): ("/usage", None, MANAGERS_PAGE),
    # Nobody here belongs to the other company: the switcher refuses.
    ("switch", "get"): ("/switch/{other_slug}", None, row(403, 403, 403, 403, 302, 302, 302, 302)),
    ("handoff", "get"): ("/handoff?token=forged", None, same(302)),
    ("invitation", "get"): ("/invitations/forged", None, same(400)),
    # OpenID Connect is not configured in tests: both answer the sign-in page's failure.
    ("oidc_authentication_init", "get"): ("/oidc/authenticate/", None, same(404)),
    ("oidc_authentication_callback", "get"): ("/oidc/callback/", None, same(404)),
    ("reminders", "get"): ("/reminders", None, PAGE),
    ("notifications", "get"): ("/notifications", None, PAGE),
    # The bell's fragment stops the polling (286) for whoever has no bell.
    ("notifications-bell", "get"): (
        "/notifications/bell",
        None,
        row(200, 200, 200, 200, 286, 286, 286, 286),
    ),
    # Opening a notification: its person goes to its link (the list, here).
    ("notification-open", "get"): (
        "/notifications/{notification}",
        None,
        row(404, 404, 302, 404, 302, 302, 302, 302),
    ),
    ("set_language", "post"): ("/i18n/setlang/", {"language": "en"}, same(302)),
    ("files", "get"): ("/files", None, PAGE),
    ("files-grid", "get"): ("/files/grid", None, PAGE),
    ("file", "get"): ("/files/{file}", None, PAGE),
    # A ready file: off to the store's pre-signed URL.
    ("file-save", "get"): ("/files/{file}/download", None, same(302)),
    # The confirmation page: its uploader (the member) and managers; a viewer may not.
    ("catalog", "get"): ("/catalog", None, PAGE),
    ("catalog-suggest", "get"): ("/catalog/suggest?q=t", None, PAGE),
    ("catalog-item", "get"): ("/catalog/{product}", None, PAGE),
    ("catalog-manage", "get"): ("/catalog/manage", None, MANAGERS_PAGE),
    ("catalog-product-new", "get"): ("/catalog/manage/products/new", None, MANAGERS_PAGE),
    ("catalog-product", "get"): ("/catalog/manage/products/{product}", None, MANAGERS_PAGE),
    # The cart: everyone's page; people who may write fill it and check out.
    ("cart", "get"): ("/cart", None, PAGE),
    ("cart", "post"): (
        "/cart",
        {"action": "remove", "product": "{product}"},
        row(302, 302, 302, 403, 302, 302, 302, 302),
    ),
    ("cart-add", "post"): (
        "/cart/add",
        {"product": "{product}", "quantity": "1"},
        row(302, 302, 302, 403, 302, 302, 302, 302),
    ),
    ("orders", "get"): ("/orders", None, PAGE),
    ("orders-all", "get"): ("/orders/all", None, MANAGERS_PAGE),
    ("audit", "get"): ("/audit", None, OWNERS_PAGE),
    # The member's order: its buyer and managers; a viewer finds nothing.
    ("order", "get"): ("/orders/{order}", None, row(200, 200, 200, 404, 302, 302, 302, 302)),
    ("invoice-settings", "get"): ("/orders/invoice-settings", None, MANAGERS_PAGE),
    # The member's order is unpaid: no invoice yet (409) to those who may see it.
    ("order-invoice", "get"): (
        "/orders/{order}/invoice",
        None,
        row(409, 409, 409, 404, 302, 302, 302, 302),
    ),
    ("order", "post"): (
        "/orders/{fresh_order}",
        {"action": "cancel"},
        row(302, 302, 302, 404, 302, 302, 302, 302),
    ),
    ("file-delete", "get"): (
        "/files/{file}/delete",
        None,
        row(200, 200, 200, 403, 302, 302, 302, 302),
    ),
    ("feed", "get"): ("/feed", None, PAGE),
    # Posting from the composer: people who may write, then back to the feed.
    ("feed", "post"): (
        "/feed",
        {"body": "x", "action": "publish"},
        row(302, 302, 302, 403, 302, 302, 302, 302),
    ),
    ("feed-more", "get"): ("/feed/more", None, PAGE),
    # "N new posts": the polling stops (286) for whoever is not signed in here.
    ("feed-new", "get"): (
        "/feed/new?top={post}",
        None,
        row(200, 200, 200, 200, 286, 286, 286, 286),
    ),
    ("feed-archive", "get"): ("/feed/archive", None, PAGE),
    ("feed-scheduled", "get"): ("/feed/scheduled", None, PAGE),
    # Cancelling the member's scheduled post: theirs alone (others find nothing).
    ("feed-scheduled", "post"): (
        "/feed/scheduled",
        {"action": "cancel", "post": "{fresh_scheduled}"},
        row(404, 404, 302, 404, 302, 302, 302, 302),
    ),
    ("post", "get"): ("/feed/{post}", None, PAGE),
    # The member's post: its author and managers.
    ("post-edit", "get"): (
        "/feed/{post}/edit",
        None,
        row(200, 200, 200, 403, 302, 302, 302, 302),
    ),
    ("post-delete", "get"): (
        "/feed/{post}/delete",
        None,
        row(200, 200, 200, 403, 302, 302, 302, 302),
    ),
    ("post-delete", "post"): (
        "/feed/{fresh_post}/delete",
        {},
        row(302, 302, 302, 403, 302, 302, 302, 302),
    ),
}


def route_names() -> set[str]:
    def walk(patterns: list) -> list[str]:
        names: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                names += walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(pattern.name)
        return names

    return set(walk(get_resolver("config.urls_tenant").url_patterns))


def test_every_route_has_a_row():
    assert route_names() == {name for name, _method in MATRIX}


@dataclass
class World:
    tenant: Tenant
    other: Tenant
    people: dict[str, Membership]
    outsider: Membership
    keys: dict[str, str]
    reminder: int
    notification: int
    key: int
    invitation: int
    upload: str  # the member's multipart upload, begun
    sent: str  # the member's one-PUT upload, its bytes in the store
    file: str  # the member's ready file
    post: int  # the member's published post
    category: int
    brand: int
    product: int
    order: int  # the member's order, waiting for payment


@pytest.fixture(scope="module")
def world(tenants, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """Built once for the module (the tests only read it; what a call changes is rolled
    back after its test, and what it makes in the store is deleted with the world's)."""
    tenant, other_tenant = tenants
    with module_world(django_db_blocker), store_left_clean(tenant):
        yield from _world(tenant, other_tenant)
    with django_db_blocker.unblock():
        tenant.refresh_from_db()  # the session's object: its plan as it was again
    plan_limits_forget()


def _world(tenant, other_tenant) -> Iterator[World]:
    plan = PlanFactory(
        name="matrix", requests_per_minute=100_000, tenant_requests_per_minute=100_000
    )
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    plan_limits_forget()
    people = {role: MembershipFactory(tenant=tenant, role=role) for role in PEOPLE}
    created = {
        scope: api_key_create(
            tenant=tenant, name=scope, scope=scope, actor=Principal.of_membership(people["owner"])
        )
        for scope in ("read", "write")
    }
    keys = {scope: secret for scope, (_key, secret) in created.items()}
    invitation = invitation_create(
        tenant=tenant,
        email="invited@example.com",
        role="member",
        actor=Principal.of_membership(people["owner"]),
        accept_url="http://x/invitations/",
    )
    member = people["member"].user
    with schema_context(tenant.schema_name):
        reminder = reminder_create(
            tenant=tenant,
            actor=Principal.of_membership(people["member"]),
            message="mine",
            delay=3600,
        )
        notification = notification_create(user=member, kind="test", title="t", email=False)
        post = post_create(
            tenant=tenant, actor=Principal.of_membership(people["member"]), body="hello"
        )
        category = category_create(actor=SystemActor(tenant, "tests"), name="shelf")
        brand = brand_create(actor=SystemActor(tenant, "tests"), name="maker")
        product = product_create(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            fields={"name": "thing", "sku": "T-1", "price": 10, "stock": 1000},
        )
        order = order_place(
            tenant=tenant,
            actor=Principal.of_membership(people["member"]),
            lines=[LineInput(product_id=product.pk, quantity=1)],
            idempotency_key="matrix",
        ).order
    upload = uploading_file(tenant, people["member"], size=32 * 1024 * 1024)
    sent = uploading_file(tenant, people["member"], sent=True)
    file = ready_file(tenant, people["member"])
    tenant.refresh_from_db()
    yield World(
        tenant=tenant,
        other=other_tenant,
        people=people,
        outsider=MembershipFactory(tenant=other_tenant, role="owner"),
        keys=keys,
        reminder=reminder.pk,
        notification=notification.pk,
        key=created["read"][0].pk,
        invitation=invitation.pk,
        upload=str(upload.pk),
        sent=str(sent.pk),
        file=str(file.pk),
        post=post.pk,
        category=category.pk,
        brand=brand.pk,
        product=product.pk,
        order=order.pk,
    )
    plan_limits_forget()


def client_for(world: World, caller: str, *, api: bool) -> Client:
    """A client as `caller`: API calls carry a fresh token (a generated logout must not sign
    the next row out) or a key; pages carry the web session."""
    connection.set_schema_to_public()  # as the operator: a request may have left a tenant's
    client = Client(HTTP_HOST=host_of(world.tenant), HTTP_ACCEPT_LANGUAGE="en")
    membership = world.people.get(caller) or (world.outsider if caller == "other" else None)
    if caller.startswith("key_"):
        client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {world.keys[caller[4:]]}"
    elif membership is not None and api:
        token = auth_token_issue(membership=membership).access_token
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    elif membership is not None:
        client.force_login(membership.user)
        # Signed in just now, as the sensitive pages ask (tests/accounts/test_reauth.py tests
        # the rule itself): this table tests who may reach them.
        reauthenticate(client)
    return client


def fresh_objects(world: World, template: str) -> dict[str, object]:
    """The member's objects a caller's call may change or delete, made anew for each."""
    member = world.people["member"]
    fresh: dict[str, object] = {}
    if "{fresh_file}" in template:
        fresh["fresh_file"] = ready_file(world.tenant, member).pk
    if "{fresh_upload}" in template:
        fresh["fresh_upload"] = uploading_file(world.tenant, member, size=32 * 1024 * 1024).pk
    connection.set_schema_to_public()
    if "{fresh_synonym}" in template:
        fresh["fresh_synonym"] = synonym_create(
            tenant=world.tenant, actor=SystemActor(world.tenant, "tests"), terms=["a", "b"]
        ).pk
    with schema_context(world.tenant.schema_name):
        actor = Principal.of_membership(member)
        if "{fresh_post}" in template:
            fresh["fresh_post"] = post_create(tenant=world.tenant, actor=actor, body="p").pk
        if "{fresh_category}" in template:
            fresh["fresh_category"] = category_create(
                actor=SystemActor(world.tenant, "tests"), name=f"c{time.monotonic_ns()}"
            ).pk
        if "{fresh_brand}" in template:
            fresh["fresh_brand"] = brand_create(
                actor=SystemActor(world.tenant, "tests"), name=f"b{time.monotonic_ns()}"
            ).pk
        if "{fresh_product}" in template:
            fresh["fresh_product"] = product_create(
                tenant=world.tenant,
                actor=SystemActor(world.tenant, "tests"),
                fields={"name": "p", "sku": f"p{time.monotonic_ns()}", "price": 1},
            ).pk
        if "{fresh_order}" in template:
            fresh["fresh_order"] = order_place(
                tenant=world.tenant,
                actor=actor,
                lines=[LineInput(product_id=world.product, quantity=1)],
                idempotency_key=f"o{time.monotonic_ns()}",
            ).order.pk
        if "{fresh_scheduled}" in template:
            fresh["fresh_scheduled"] = post_schedule(
                tenant=world.tenant,
                actor=actor,
                body="s",
                publish_at=timezone.now() + timedelta(hours=1),
            ).pk
    return fresh


def formatted(value: object, values: dict[str, object]) -> object:
    """A body with the ids filled in, in nested lists and objects too; an id that is all of
    a value stays a number, as a JSON client sends it."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and isinstance(values.get(whole[1]), int):
            return values[whole[1]]
        return value.format(**values)
    if isinstance(value, dict):
        return {k: formatted(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [formatted(v, values) for v in value]
    return value


@pytest.mark.parametrize(("name", "method"), sorted(MATRIX))
def test_route_answers_each_caller_as_the_rules_say(world, name, method):
    template, body, expected = MATRIX[(name, method)]
    ids = {
        "reminder": world.reminder,
        "notification": world.notification,
        "other_slug": world.other.slug,
        "member": world.people["member"].pk,
        "key": world.key,
        "invitation": world.invitation,
        "upload": world.upload,
        "sent": world.sent,
        "file": world.file,
        "post": world.post,
        "category": world.category,
        "brand": world.brand,
        "product": world.product,
        "order": world.order,
    }
    api = template.startswith(("/api/", "/auth/"))
    answers = {}
    for caller in CALLERS:
        fresh = fresh_objects(world, template + str(body))
        path = template.format(**ids, **fresh)
        # A name or SKU of the caller's own, so one caller's creation does not make the
        # next one's a duplicate.
        values = {**ids, **fresh, "unique": f"{name}-{caller}"}
        data = body and formatted(body, values)
        call: Callable = getattr(client_for(world, caller, api=api), method)
        kwargs = (
            {"data": data, "content_type": "application/json"} if api and data is not None else {}
        )
        if not api and data is not None:
            kwargs = {"data": data}
        answers[caller] = call(path, **kwargs).status_code
    assert answers == expected
