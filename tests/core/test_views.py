"""The web shell: tenant name, ja/en, the language switch."""

import pytest

pytestmark = pytest.mark.django_db


def test_tenant_home_is_japanese_by_default_and_names_the_tenant(tenant_client, tenant):
    response = tenant_client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in body
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


def test_public_landing_offers_both_languages(public_client):
    body = public_client.get("/").content.decode()
    assert 'value="ja"' in body
    assert 'value="en"' in body
