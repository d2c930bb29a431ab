"""The one error shape, from the handler and in the OpenAPI schema."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client
from django.utils import translation
from rest_framework import exceptions

from apps.core.errors import RefusedInputError, TakenError
from apps.core.exceptions import api_exception_handler
from tests.conftest import host_of


@translation.override("en")
def test_django_validation_error_becomes_400_with_field_errors():
    exc = DjangoValidationError({"slug": ["Taken."], "name": ["Too long."]})
    response = api_exception_handler(exc, {})
    assert response.status_code == 400
    assert response.data == {
        "status": 400,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": {"slug": ["Taken."], "name": ["Too long."]},
    }


@translation.override("en")
@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [(RefusedInputError, 422, "invalid"), (TakenError, 409, "taken")],
)
def test_a_refused_input_error_has_its_own_status_in_the_one_shape(exc, status, code):
    """Input of the form the schema describes refused for what it means: not a 400."""
    response = api_exception_handler(exc({"name": ["Not now."]}), {})
    assert response.status_code == status
    assert response.data == {
        "status": status,
        "code": code,
        "message": "Some fields are not valid.",
        "errors": {"name": ["Not now."]},
    }


def test_a_refused_input_error_is_a_validation_error_pages_show_beside_their_fields():
    assert isinstance(TakenError({"sku": ["Taken."]}), DjangoValidationError)
    assert TakenError({"sku": ["Taken."]}).message_dict == {"sku": ["Taken."]}


def test_non_field_validation_error_carries_its_message():
    response = api_exception_handler(DjangoValidationError("Quota exceeded."), {})
    assert response.status_code == 400
    assert response.data["message"] == "Quota exceeded."
    assert response.data["errors"] == {}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.Throttled(wait=7), 429, "throttled"),
    ],
)
def test_api_exceptions_keep_status_and_code(exc, status, code):
    response = api_exception_handler(exc, {})
    assert response.status_code == status
    assert response.data["status"] == status
    assert response.data["code"] == code
    assert response.data["message"] == str(exc.detail)


def test_throttled_keeps_retry_after():
    response = api_exception_handler(exceptions.Throttled(wait=7), {})
    assert response["Retry-After"] == "7"


def test_unexpected_errors_are_left_to_django():
    assert api_exception_handler(RuntimeError("boom"), {}) is None


NOT_FOUND = {"status": 404, "code": "not_found", "message": "Not found.", "errors": {}}


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/no-such-thing"),
        ("get", "/api/reminders/null,null"),
        ("delete", "/api/reminders/-1"),
        ("post", "/auth/no-such-thing"),
        ("get", "/auth/"),
        ("put", "/api/"),
    ],
)
def test_unknown_api_path_gets_the_error_shape_whatever_debug_is(
    tenant, settings, debug, method, path
):
    """With DEBUG, Django answers an unmatched URL with its HTML page; the API's last URL
    pattern answers instead. A POST is not refused for a missing CSRF token first."""
    settings.DEBUG = debug
    client = Client(HTTP_HOST=host_of(tenant), enforce_csrf_checks=True)
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == NOT_FOUND


@pytest.mark.django_db
def test_unknown_page_path_stays_an_html_page(tenant_client):
    response = tenant_client.get("/no-such-page", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.django_db
def test_openapi_schema_documents_the_error_shape(tenant_client):
    response = tenant_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["schemas"]["Error"]["required"] == [
        "status",
        "code",
        "message",
        "errors",
    ]
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations
    for operation in operations:
        errors = {k: v for k, v in operation["responses"].items() if not k.startswith("2")}
        assert errors, operation["operationId"]
        for status, error in errors.items():
            assert error["content"] == {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
            }, (operation["operationId"], status)


@pytest.mark.django_db
def test_api_docs_page_is_served(tenant_client):
    response = tenant_client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
