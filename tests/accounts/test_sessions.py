"""Where a person is signed in: their web sessions (django-qsessions rows in the public
schema) and API sign-ins (refresh-token families) across their companies, each of which can
be ended, "sign out everywhere else", and the idle and absolute limits of web sessions."""

import time

import jwt
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from qsessions.models import Session as QSession

from apps.accounts.models import RefreshToken
from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create
from apps.accounts.sessions import SEEN, SIGNED_IN, device_label, session_public_id
from apps.audit.models import AuditEntry
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD, api_client, bearer
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

# Listing sign-ins: the host's company, the web sessions and their companies' names, the
# person's row-level security setting (set, and reset after) and their live refresh tokens.
QUERIES = 7
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def browser(tenant, membership, user_agent: str = FIREFOX) -> Client:
    client = Client(
        HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=user_agent
    )
    response = client.post("/login", {"email": membership.user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def api_sign_in(tenant, membership, user_agent: str = "kura-cli/1.0") -> dict[str, str]:
    client = api_client(tenant)
    response = client.post(
        "/auth/login",
        {"email": membership.user.email, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT=user_agent,
    )
    assert response.status_code == 200, response.content
    return response.json()


def family_of(access: str) -> str:
    return jwt.decode(access, options={"verify_signature": False})["fam"]


def signed_in(client: Client) -> bool:
    response = client.get("/profile")
    return response.status_code == 200


def set_times(client: Client, **times: float) -> None:
    session = client.session
    for key, value in times.items():
        session[key] = value
    session.save()


# --- idle and absolute limits --------------------------------------------------------------


def test_a_session_idle_for_longer_than_the_limit_is_signed_out(tenant, member):
    client = browser(tenant, member)
    key = client.session.session_key
    set_times(client, **{SEEN: time.time() - settings.SESSION_IDLE_SECONDS - 5})
    response = client.get("/profile")
    assert (response.status_code, response["Location"]) == (302, "/login?next=/profile")
    assert not QSession.objects.filter(session_key=key).exists()


def test_a_session_used_within_the_idle_limit_lives_on_and_is_seen_again(tenant, member):
    client = browser(tenant, member)
    set_times(client, **{SEEN: time.time() - settings.SESSION_IDLE_SECONDS + 60})
    before = time.time()
    assert signed_in(client)
    assert client.session[SEEN] >= before


def test_a_session_older_than_the_absolute_limit_ends_however_busy(tenant, member):
    client = browser(tenant, member)
    set_times(
        client,
        **{SIGNED_IN: time.time() - settings.SESSION_ABSOLUTE_SECONDS - 5, SEEN: time.time()},
    )
    assert not signed_in(client)


def test_a_session_just_within_the_absolute_limit_lives(tenant, member):
    client = browser(tenant, member)
    set_times(client, **{SIGNED_IN: time.time() - settings.SESSION_ABSOLUTE_SECONDS + 60})
    assert signed_in(client)


def test_the_sign_in_starts_the_clocks_and_notes_the_browser(tenant, member):
    before = time.time()
    client = browser(tenant, member)
    client.get("/profile")
    row = QSession.objects.get(session_key=client.session.session_key)
    assert (row.user_id, row.user_agent, row.ip) == (member.user_id, FIREFOX, "127.0.0.1")
    assert before <= client.session[SIGNED_IN] <= time.time()


# --- the list ---------------------------------------------------------------------------------


def test_device_labels_come_from_the_user_agent():
    assert device_label(FIREFOX) == "Firefox 132 on Windows"
    assert device_label(CHROME_MAC) == "Chrome 131 on Mac OS X"
    assert device_label("kura-cli/1.0") == "kura-cli/1.0"  # unknown: as it says itself
    assert device_label("") == "Unknown device"


def test_refresh_tokens_keep_where_they_were_asked_for(tenant, member):
    pair = api_sign_in(tenant, member, "kura-cli/1.0")
    token = RefreshToken.objects.get(family=family_of(pair["access_token"]))
    assert (token.ip, token.user_agent) == ("127.0.0.1", "kura-cli/1.0")
    assert token.last_used_at is not None


def test_profile_lists_web_sessions_and_api_sign_ins_across_companies(tenant, other_tenant, member):
    MembershipFactory(tenant=other_tenant, user=member.user, role="viewer")
    here = browser(tenant, member, FIREFOX)
    browser(other_tenant, member, CHROME_MAC)
    api_sign_in(other_tenant, member)
    page = here.get("/profile").content.decode()
    assert page.count('data-testid="sign-in"') == 3
    assert page.count('data-kind="web"') == 2
    assert page.count('data-kind="api"') == 1
    assert page.count('data-testid="this-session"') == 1
    assert page.count('data-testid="end-session"') == 2
    assert "Firefox 132 on Windows" in page
    assert "Chrome 131 on Mac OS X" in page
    assert other_tenant.name in page
    assert "127.0.0.1" in page


# --- ending them --------------------------------------------------------------------------------


def test_ending_a_web_session_signs_that_browser_out(tenant, member):
    mine, other = browser(tenant, member), browser(tenant, member, CHROME_MAC)
    sid = session_public_id(other.session.session_key)
    response = mine.post(f"/profile/sessions/{sid}/end", follow=True)
    assert "That sign-in has ended" in response.content.decode()
    assert not signed_in(other)
    assert signed_in(mine)
    connection.set_schema_to_public()
    entry = AuditEntry.objects.get(tenant=tenant, action="session.ended")
    assert (entry.actor_id, entry.target, entry.data) == (member.user_id, sid, {"kind": "web"})


def test_ending_an_api_sign_in_refuses_its_tokens_at_once(tenant, other_tenant, member):
    MembershipFactory(tenant=other_tenant, user=member.user, role="member")
    pair = api_sign_in(other_tenant, member)
    assert bearer(other_tenant, pair["access_token"]).get("/api/profile").status_code == 200
    mine = browser(tenant, member)
    mine.post(f"/profile/sessions/a{family_of(pair['access_token'])}/end")
    refused = bearer(other_tenant, pair["access_token"]).get("/api/profile")
    assert (refused.status_code, refused.json()["code"]) == (401, "token_revoked")
    refresh = api_client(other_tenant).post(
        "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
    )
    assert refresh.status_code == 401


def test_someone_elses_session_cannot_be_ended(tenant, member):
    stranger = MembershipFactory(tenant=tenant, role="member")
    theirs = browser(tenant, stranger)
    mine = browser(tenant, member)
    sid = session_public_id(theirs.session.session_key)
    response = mine.post(f"/profile/sessions/{sid}/end", follow=True)
    assert "There is no such session of yours." in response.content.decode()
    assert signed_in(theirs)


def test_ending_needs_a_post(tenant, member):
    assert browser(tenant, member).get("/profile/sessions/end-all").status_code == 405


def test_signing_out_everywhere_keeps_this_session_only(tenant, other_tenant, member):
    MembershipFactory(tenant=other_tenant, user=member.user, role="member")
    mine, laptop = browser(tenant, member), browser(tenant, member, CHROME_MAC)
    elsewhere = browser(other_tenant, member)
    pair = api_sign_in(other_tenant, member)
    response = mine.post("/profile/sessions/end-all", follow=True)
    assert "3 sign-ins ended" in response.content.decode()
    assert signed_in(mine)
    assert not signed_in(laptop)
    assert not signed_in(elsewhere)
    assert bearer(other_tenant, pair["access_token"]).get("/api/profile").status_code == 401
    connection.set_schema_to_public()  # as the operator: the last request left beta's rows
    entry = AuditEntry.objects.get(tenant=tenant, action="sessions.ended_all")
    assert (entry.actor_id, entry.data) == (member.user_id, {"web": 2, "api": 1})


# --- the API --------------------------------------------------------------------------------------


def test_the_api_lists_sign_ins_and_marks_its_own(tenant, member):
    pair = api_sign_in(tenant, member)
    browser(tenant, member)
    listed = bearer(tenant, pair["access_token"]).get("/api/profile/sessions")
    assert listed.status_code == 200
    body = listed.json()
    assert [(s["kind"], s["current"]) for s in body] == [("api", True), ("web", False)]
    assert body[0]["id"] == f"a{family_of(pair['access_token'])}"
    assert (body[0]["device"], body[0]["ip"], body[0]["company"]) == (
        "kura-cli/1.0",
        "127.0.0.1",
        tenant.name,
    )
    assert set(body[1]) == {"id", "kind", "device", "ip", "last_seen", "company", "current"}


def test_the_api_ends_one_sign_in(tenant, member):
    pair = api_sign_in(tenant, member)
    web = browser(tenant, member)
    client = bearer(tenant, pair["access_token"])
    sid = session_public_id(web.session.session_key)
    assert client.delete(f"/api/profile/sessions/{sid}").status_code == 204
    assert not signed_in(web)
    missing = client.delete(f"/api/profile/sessions/{sid}")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_the_api_ends_all_but_its_own(tenant, member):
    pair, other = api_sign_in(tenant, member), api_sign_in(tenant, member)
    web = browser(tenant, member)
    response = bearer(tenant, pair["access_token"]).delete("/api/profile/sessions")
    assert response.json() == {"ended": 2}
    assert bearer(tenant, pair["access_token"]).get("/api/profile").status_code == 200
    assert bearer(tenant, other["access_token"]).get("/api/profile").status_code == 401
    assert not signed_in(web)


def test_api_keys_have_no_sign_ins(tenant, owner):
    _key, secret = api_key_create(
        tenant=tenant, name="ERP", scope="write", actor=Principal.of_membership(owner)
    )
    client = api_client(tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    response = client.get("/api/profile/sessions")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_api_calls_make_no_web_session(tenant, member):
    pair = api_sign_in(tenant, member)
    assert bearer(tenant, pair["access_token"]).get("/api/profile").status_code == 200
    assert QSession.objects.filter(user=member.user).count() == 0


def test_listing_sign_ins_takes_the_same_queries_however_many(
    tenant, other_tenant, member, django_assert_num_queries
):
    MembershipFactory(tenant=other_tenant, user=member.user, role="member")
    client = bearer(tenant, api_sign_in(tenant, member)["access_token"])
    browser(tenant, member)
    client.get("/api/profile/sessions")  # the access cache is warm from here on
    with django_assert_num_queries(QUERIES):
        assert len(client.get("/api/profile/sessions").json()) == 2
    for _more in range(3):
        browser(other_tenant, member)
        api_sign_in(other_tenant, member)
    with django_assert_num_queries(QUERIES):
        assert len(client.get("/api/profile/sessions").json()) == 8
