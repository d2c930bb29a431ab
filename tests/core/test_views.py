"""The web shell: tenant name, ja/en, the language switch."""

import pytest
from django.template import loader

pytestmark = pytest.mark.django_db


def test_tenant_home_is_japanese_by_default_and_names_the_tenant(tenant_client, tenant):
    response = tenant_client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja" data-theme="light">' in body
    assert f"{tenant.name} へようこそ" in body
    assert 'data-testid="tenant-name">' + tenant.name in body


def test_browser_language_english_is_honoured(tenant_client, tenant):
    body = tenant_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Welcome to {tenant.name}" in body


def test_language_switch_sets_the_cookie_and_returns(tenant_client, tenant):
    response = tenant_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"
    assert f"Welcome to {tenant.name}" in tenant_client.get("/").content.decode()


def test_the_language_toggle_offers_the_other_language(public_client):
    japanese = public_client.get("/").content.decode()
    english = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    toggle = (
        r'<button type="submit" class="secondary outline" name="language" value="{}" lang="{}">'
    )
    assert toggle.replace("{}", "en") in japanese
    assert 'value="ja"' not in japanese
    assert toggle.replace("{}", "ja") in english
    assert 'value="en"' not in english


def test_every_page_loads_pico_htmx_and_ours_from_this_host(public_client):
    body = public_client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/static/vendor/pico/pico.blue.min.css">' in body
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in body
    assert '<link rel="stylesheet" href="/static/css/kura.css">' in body
    assert "https://" not in body


def test_the_landing_page_promises_only_what_exists(public_client):
    body = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode().lower()
    for missing in ("files", "feed", "catalog"):
        assert missing not in body


def test_home_signed_in_leads_to_what_works(tenant_client, tenant, member):
    tenant_client.force_login(member.user)
    body = tenant_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<a role="button" href="/reminders">Set reminder</a>' in body
    assert "will appear here" not in body
    assert 'href="/members"' not in body  # a member does not manage members


def test_home_signed_out_asks_to_sign_in(tenant_client):
    body = tenant_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<a role="button" href="/login">Sign in</a>' in body


def test_api_docs_have_the_language_and_a_way_back(tenant_client, tenant):
    body = tenant_client.get("/api/docs", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in body
    assert f'<a href="/" data-testid="back-to-app">← Back to {tenant.name}</a>' in body


def test_api_description_shows_the_host_pattern_as_code(tenant_client):
    schema = tenant_client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    assert "`<slug>.<base domain>`" in schema["info"]["description"]


def test_the_500_page_needs_no_request_and_says_its_languages():
    body = loader.render_to_string("500.html")
    assert '<html lang="en" data-theme="light">' in body
    assert (
        '<p lang="ja">担当者に通知されました。しばらくしてからもう一度お試しください。</p>' in body
    )
