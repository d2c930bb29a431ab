"""The language a person chooses holds across hosts: the cookie (on the base domain where
browsers take it) and, once signed in, their saved language; and the "company not found"
page speaks the browser's language and its language buttons work."""

import pytest
from django.conf import settings
from django.test import Client

from apps.accounts.models import User
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.accounts.test_views import signed_in
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def test_the_cookie_stays_on_its_host_under_a_one_label_base_domain(tenant_client):
    # Chromium drops a cookie with `Domain=localhost` set from test-alpha.localhost (and
    # keeps it for localhost alone): under such a base domain the cookie names no domain.
    assert settings.BASE_DOMAIN == "localhost"
    assert settings.LANGUAGE_COOKIE_DOMAIN is None
    response = tenant_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.cookies["django_language"]["domain"] == ""


def test_the_cookie_spans_the_base_domain_and_its_companies(tenant_client, settings):
    settings.LANGUAGE_COOKIE_DOMAIN = ".kura.example"
    response = tenant_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert (cookie.value, cookie["domain"], cookie["samesite"]) == ("en", ".kura.example", "Lax")


def test_switching_language_signed_in_is_kept_for_every_company(tenant, other_tenant):
    person = UserFactory()
    here = MembershipFactory(tenant=tenant, user=person)
    MembershipFactory(tenant=other_tenant, user=person)
    client = signed_in(tenant, here)  # an English browser
    assert client.post("/i18n/setlang/", {"language": "ja", "next": "/"}).status_code == 302
    person.refresh_from_db()
    assert person.language == "ja"
    # Another company's host, another session, a browser still asking for English.
    there = Client(HTTP_HOST=host_of(other_tenant), HTTP_ACCEPT_LANGUAGE="en")
    there.force_login(person)
    home = there.get("/")
    assert '<html lang="ja" ' in home.content.decode()
    assert f"{other_tenant.name} へようこそ" in home.content.decode()
    assert home["Content-Language"] == "ja"


def test_anonymous_switching_saves_nothing(tenant_client):
    tenant_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert not User.objects.exclude(language="").exists()


def test_the_profile_offers_the_browsers_language(tenant, member):
    member.user.language = "ja"
    member.user.save(update_fields=["language"])
    client = signed_in(tenant, member)
    profile = client.get("/profile").content.decode()
    assert '<option value="ja" selected>' in profile
    response = client.post("/profile", {"full_name": "", "time_zone": "Asia/Tokyo", "language": ""})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.language == ""
    assert '<html lang="en" ' in client.get("/").content.decode()  # the browser's again


def test_not_found_speaks_the_browsers_language():
    english = Client(HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="en")
    response = english.get("/")
    assert response.status_code == 404
    assert response["Content-Language"] == "en"
    body = response.content.decode()
    assert '<html lang="en" ' in body
    assert "<h1>Company not found</h1>" in body
    japanese = Client(HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="ja")
    body = japanese.get("/").content.decode()
    assert '<html lang="ja" ' in body
    assert "<h1>会社が見つかりません</h1>" in body
    api = english.get("/api/tenant")
    assert api.json()["message"] == "No company uses this address."


def test_not_found_language_buttons_work_on_the_unknown_host():
    client = Client(
        HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="ja", enforce_csrf_checks=True
    )
    page = client.get("/somewhere")
    assert 'action="/i18n/setlang/"' in page.content.decode()
    token = page.cookies["csrftoken"].value
    # Without the page's token, refused like any other form.
    assert client.post("/i18n/setlang/", {"language": "en"}).status_code == 403
    switched = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/somewhere", "csrfmiddlewaretoken": token}
    )
    assert (switched.status_code, switched["Location"]) == (302, "/somewhere")
    assert switched.cookies["django_language"].value == "en"
    again = client.get("/somewhere")
    assert again.status_code == 404
    assert "<h1>Company not found</h1>" in again.content.decode()
    # Any other form posted to the unknown host is still just not found.
    assert client.post("/login", {"email": "x@example.com"}).status_code == 404
