"""Changing a password (profile page and API) and resetting a forgotten one by an emailed
link: other sign-ins end, links work once and for an hour, bad links get a clear page."""

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.accounts import lockout
from apps.accounts.models import RefreshToken, User
from apps.accounts.principal import Principal
from apps.accounts.services import (
    api_key_create,
    auth_check_password,
    auth_token_issue,
    password_reset_request,
)
from apps.accounts.services.passwords import (
    RESET_PER_ADDRESS,
    RESET_PER_EMAIL,
    ResetTokenGenerator,
    reset_tokens,
)
from apps.audit.models import AuditEntry
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.api import PASSWORD, api_client, bearer, login
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

NEW = "plum-tomato-harbour-42"
RULES_REFUSED = [
    "This password is too short. It must contain at least 8 characters.",
    "This password is too common.",
    "This password is entirely numeric.",
]
CHANGED_NOTICE = (
    "The password of your Kura account ({email}) was changed at {when} (UTC). Every other "
    "sign-in to your account has ended.\nIf it was not you, reset your password at once with "
    "“Forgot your password?” on the sign-in page, and tell your company's owner."
)


def web(tenant, membership=None) -> Client:
    client = Client(HTTP_HOST=host_of(tenant), HTTP_ACCEPT_LANGUAGE="en")
    if membership is not None:
        client.force_login(membership.user)
    return client


def change(client: Client, current: str = PASSWORD, new: str = NEW, again: str | None = None):
    return client.post(
        "/profile/password",
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def refresh_status(tenant, refresh: str) -> int:
    return (
        api_client(tenant)
        .post("/auth/refresh", {"refresh_token": refresh}, format="json")
        .status_code
    )


def profile_status(tenant, access: str) -> int:
    return bearer(tenant, access).get("/api/profile").status_code


# --- changing, on the profile --------------------------------------------------------------


def test_the_profile_has_a_password_section(tenant, member):
    body = web(tenant, member).get("/profile").content.decode()
    assert 'action="/profile/password"' in body
    for label in ("Current password", "New password", "New password again"):
        assert f">{label}</label>" in body


def test_a_wrong_current_password_is_refused_beside_its_field(tenant, member):
    response = change(web(tenant, member), current="not-my-password")
    assert response.status_code == 400
    assert response.context["password_form"].errors == {
        "current_password": ["Your current password is not correct."]
    }
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_a_weak_new_password_gets_the_validators_reasons(tenant, member):
    response = change(web(tenant, member), new="123")
    assert response.status_code == 400
    assert response.context["password_form"].errors == {"new_password": RULES_REFUSED}


def test_the_two_new_passwords_must_match(tenant, member):
    response = change(web(tenant, member), again="something-else-99")
    assert response.context["password_form"].errors == {
        "new_password_again": ["The two new passwords are not the same."]
    }


def test_a_change_ends_every_other_sign_in_but_this_session(
    tenant, other_tenant, member, django_capture_on_commit_callbacks
):
    elsewhere = MembershipFactory(tenant=other_tenant, user=member.user)
    mine, other_browser = web(tenant, member), web(tenant, member)
    app = login(tenant, member)
    connection.set_schema_to_public()  # as the operator: the request left the tenant's
    app_elsewhere = auth_token_issue(membership=elsewhere)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(mine)
    assert (response.status_code, response["Location"]) == (302, "/profile")
    assert [str(m) for m in mine.get("/profile").context["messages"]] == [
        "Your password is changed. Your other sign-ins have ended."
    ]
    assert mine.get("/profile").status_code == 200
    assert other_browser.get("/profile")["Location"] == "/login?next=/profile"
    assert profile_status(tenant, app["access_token"]) == 401
    assert refresh_status(tenant, app["refresh_token"]) == 401
    assert refresh_status(other_tenant, app_elsewhere.refresh_token) == 401
    assert not RefreshToken.objects.filter(
        membership__user=member.user, revoked_at__isnull=True
    ).exists()
    member.user.refresh_from_db()
    assert member.user.check_password(NEW)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([member.user.email], "Your Kura password was changed")
    ]
    when = re.search(r"at (\S+ \S+) \(UTC\)", mail.outbox[0].body).group(1)
    assert mail.outbox[0].body == CHANGED_NOTICE.format(email=member.user.email, when=when)


def test_guessing_the_current_password_is_limited_like_signing_in(tenant, member, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = web(tenant, member)
    assert change(client, current="guess-1").status_code == 400
    response = change(client, current="guess-2")
    assert response.context["password_form"].non_field_errors() == [
        (
            "Too many failed sign-ins for this email address from your network. Try again in 1 "
            "minute, or use the link we emailed to the account's owner."
        )
    ]


def test_only_members_reach_the_change_page(tenant):
    response = web(tenant).post("/profile/password", {})
    assert (response.status_code, response["Location"]) == (
        302,
        "/login?next=/profile/password",
    )


# --- changing, through the API -------------------------------------------------------------


def api_change(tenant, access: str, current: str = PASSWORD, new: str = NEW):
    return bearer(tenant, access).post(
        "/api/profile/password",
        {"current_password": current, "new_password": new},
        format="json",
    )


def test_api_wrong_current_password_is_a_422_in_the_error_shape(tenant, member):
    """A password of the form the schema describes, refused for what it is."""
    response = api_change(tenant, login(tenant, member)["access_token"], current="nope")
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "password_incorrect",
        "message": "Your current password is not correct.",
        "errors": {"current_password": ["Your current password is not correct."]},
    }


def test_api_weak_new_password_says_why(tenant, member):
    response = api_change(tenant, login(tenant, member)["access_token"], new="123")
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": {"new_password": RULES_REFUSED},
    }


def test_api_change_keeps_the_calling_sign_in_and_ends_the_others(tenant, member):
    calling, other = login(tenant, member), login(tenant, member)
    browser = web(tenant, member)
    response = api_change(tenant, calling["access_token"])
    assert (response.status_code, response.content) == (204, b"")
    assert profile_status(tenant, calling["access_token"]) == 200
    assert refresh_status(tenant, calling["refresh_token"]) == 200
    assert profile_status(tenant, other["access_token"]) == 401
    assert refresh_status(tenant, other["refresh_token"]) == 401
    assert browser.get("/profile").status_code == 302


def test_api_keys_cannot_change_a_password(tenant, owner):
    _key, secret = api_key_create(
        tenant=tenant, name="k", scope="write", actor=Principal.of_membership(owner)
    )
    client = api_client(tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    response = client.post(
        "/api/profile/password",
        {"current_password": PASSWORD, "new_password": NEW},
        format="json",
    )
    assert response.status_code == 401


# --- resetting -----------------------------------------------------------------------------

SENT = (
    "If {email} belongs to a Kura account, we have emailed it a link to choose a new password. "
    "The link works once, for an hour."
)


def ask_reset(client: Client, email: str, capture, **extra):
    with capture(execute=True):
        return client.post("/password/reset", {"email": email}, **extra)


def emailed_link(index: int = -1) -> str:
    return re.search(r"http://\S+/password/reset/\S+/\S+", mail.outbox[index].body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def test_every_login_page_links_to_the_reset_page(tenant, public_client):
    assert 'href="/password/reset"' in web(tenant).get("/login").content.decode()
    assert 'href="/password/reset"' in public_client.get("/find").content.decode()
    assert 'href="/password/reset"' in public_client.get("/admin/login/").content.decode()


def test_a_reset_email_for_an_account_and_the_same_answer_without_one(
    tenant, member, django_capture_on_commit_callbacks
):
    client = web(tenant)
    known = ask_reset(client, member.user.email.upper(), django_capture_on_commit_callbacks)
    unknown = ask_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert (known.status_code, known["Location"]) == (302, "/password/reset")
    assert [str(m) for m in client.get("/password/reset").context["messages"]] == [
        SENT.format(email=member.user.email.upper()),
        SENT.format(email="nobody@example.com"),
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.user.email]
    assert mail.outbox[0].subject == "Reset your Kura password"
    link = emailed_link()
    assert (
        link
        == f"http://{host_of(tenant)}/password/reset/{uid(member.user)}/" + link.rsplit("/", 1)[1]
    )
    assert "it works once, within 60 minutes" in mail.outbox[0].body


def test_the_link_sets_a_new_password_once_and_ends_every_sign_in(
    tenant, member, django_capture_on_commit_callbacks
):
    browser = web(tenant, member)
    app = login(tenant, member)
    ask_reset(web(tenant), member.user.email, django_capture_on_commit_callbacks)
    path = path_of(emailed_link())
    client = web(tenant)
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path, {"new_password": NEW, "new_password_again": NEW})
    assert (done.status_code, done["Location"]) == (302, "/login")
    assert [str(m) for m in client.get("/login").context["messages"]] == [
        "Your new password is set. Sign in with it; other sign-ins ended."
    ]
    member.user.refresh_from_db()
    assert member.user.check_password(NEW)
    assert browser.get("/profile").status_code == 302
    assert refresh_status(tenant, app["refresh_token"]) == 401
    assert mail.outbox[-1].subject == "Your Kura password was changed"
    # Used: the same link again is refused with a clear page, GET and POST alike.
    again = client.get(path)
    assert again.status_code == 400
    assert "This link is no longer valid" in again.content.decode()
    assert 'href="/password/reset"' in again.content.decode()
    assert (
        client.post(path, {"new_password": "x" * 20, "new_password_again": "x" * 20}).status_code
        == 400
    )
    member.user.refresh_from_db()
    assert member.user.check_password(NEW)


def test_the_link_lifts_the_sign_in_locks(
    tenant, member, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_FAILURE_LIMIT = 1
    email = member.user.email
    with pytest.raises(Exception, match="Too many failed sign-ins"):
        auth_check_password(email=email, password="wrong", ip="198.51.100.1")
    assert lockout.attempt_count(lockout.Keys(email=email, ip="198.51.100.1")).locked_for > 0
    token = reset_tokens.make_token(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        web(tenant).post(
            f"/password/reset/{uid(member.user)}/{token}",
            {"new_password": NEW, "new_password_again": NEW},
        )
    assert auth_check_password(email=email, password=NEW, ip="198.51.100.1") == member.user


def test_a_reset_verifies_the_email_address(tenant):
    person = MembershipFactory(tenant=tenant, user__email_verified_at=None).user
    token = reset_tokens.make_token(person)
    web(tenant).post(
        f"/password/reset/{uid(person)}/{token}", {"new_password": NEW, "new_password_again": NEW}
    )
    person.refresh_from_db()
    assert person.email_verified_at is not None


def test_a_weak_new_password_is_refused_and_the_link_still_works(tenant, member):
    path = f"/password/reset/{uid(member.user)}/{reset_tokens.make_token(member.user)}"
    response = web(tenant).post(path, {"new_password": "123", "new_password_again": "123"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"new_password": RULES_REFUSED}
    assert web(tenant).get(path).status_code == 200


class Earlier(ResetTokenGenerator):
    """Tokens made `seconds` ago (Django's generator counts in naive local time)."""

    def __init__(self, seconds: int) -> None:
        super().__init__()
        self.seconds = seconds

    def _now(self) -> datetime:
        return datetime.now() - timedelta(seconds=self.seconds)  # noqa: DTZ005


@pytest.mark.parametrize(("age", "status"), [(3590, 200), (3610, 400)])
def test_a_link_works_for_an_hour(tenant, member, age, status):
    token = Earlier(age).make_token(member.user)
    response = web(tenant).get(f"/password/reset/{uid(member.user)}/{token}")
    assert response.status_code == status


def test_a_link_for_another_account_is_refused(tenant, member):
    someone = UserFactory()
    token = reset_tokens.make_token(member.user)
    response = web(tenant).get(f"/password/reset/{uid(someone)}/{token}")
    assert response.status_code == 400
    assert "This link is no longer valid" in response.content.decode()


def test_a_link_dies_when_the_password_changes(tenant, member):
    token = reset_tokens.make_token(member.user)
    change(web(tenant, member))
    assert web(tenant).get(f"/password/reset/{uid(member.user)}/{token}").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/password/reset/!!/abc",
        "/password/reset/MTIzNDU2Nzg5/1-2",
        "/password/reset/AAAA/x",
        "/password/reset/LTE/x",  # -1
        "/password/reset/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/x",  # past bigint
    ],
)
def test_forged_links_are_refused_never_a_500(tenant, path):
    assert web(tenant).get(path).status_code == 400


def test_reset_requests_are_limited_per_email(tenant, member, django_capture_on_commit_callbacks):
    client = web(tenant)
    for _ in range(RESET_PER_EMAIL):
        assert (
            ask_reset(client, member.user.email, django_capture_on_commit_callbacks).status_code
            == 302
        )
    refused = ask_reset(client, member.user.email, django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors() == [
        "Too many password reset requests. Try again in 60 minutes."
    ]
    assert len(mail.outbox) == RESET_PER_EMAIL
    # Another email from the same network is still answered.
    assert (
        ask_reset(client, "other@example.com", django_capture_on_commit_callbacks).status_code
        == 302
    )


def test_reset_requests_are_limited_per_address():
    for n in range(RESET_PER_ADDRESS):
        password_reset_request(email=f"p{n}@example.com", ip="192.0.2.9", reset_url=lambda u, t: "")
    with pytest.raises(Exception, match="Too many password reset requests") as refused:
        password_reset_request(email="last@example.com", ip="192.0.2.9", reset_url=lambda u, t: "")
    assert refused.value.status_code == 429  # type: ignore[attr-defined]
    password_reset_request(email="last@example.com", ip="192.0.2.10", reset_url=lambda u, t: "")


def test_the_public_site_resets_too(public_client, member, django_capture_on_commit_callbacks):
    public_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    ask_reset(public_client, member.user.email, django_capture_on_commit_callbacks)
    link = emailed_link()
    assert link.startswith("http://localhost/password/reset/")
    done = public_client.post(path_of(link), {"new_password": NEW, "new_password_again": NEW})
    assert (done.status_code, done["Location"]) == (302, "/find")


def test_the_lock_email_points_to_the_reset_page(
    tenant, member, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_FAILURE_LIMIT = 1
    with django_capture_on_commit_callbacks(execute=True):
        api_client(tenant).post(
            "/auth/login", {"email": member.user.email, "password": "wrong"}, format="json"
        )
    assert mail.outbox[0].body.endswith(
        "If it was not you, your account is safe. To choose a new password, use “Forgot your "
        f"password?” on the sign-in page: http://{host_of(tenant)}/password/reset"
    )


def test_changes_resets_and_verifications_are_in_the_companys_audit_log(tenant, member):
    def last():
        entry = AuditEntry.objects.filter(tenant=tenant).order_by("-seq").first()
        return (entry.action, entry.actor_id, entry.data)

    assert api_change(tenant, login(tenant, member)["access_token"]).status_code == 204
    assert last() == ("password.changed", member.user.pk, {"via": "api"})
    person = MembershipFactory(tenant=tenant, user__email_verified_at=None).user
    web(tenant).post(
        f"/password/reset/{uid(person)}/{reset_tokens.make_token(person)}",
        {"new_password": NEW, "new_password_again": NEW},
    )
    assert last() == ("password.reset", person.pk, {})
