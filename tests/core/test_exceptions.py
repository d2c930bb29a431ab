"""The one error shape, from the handler and in the OpenAPI schema."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from rest_framework import exceptions

from apps.core.exceptions import api_exception_handler


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


@pytest.mark.django_db
def test_unknown_api_path_on_a_tenant_gets_the_error_shape(tenant_client):
    response = tenant_client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert set(response.json()) == {"status", "code", "message", "errors"}


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
        assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }


@pytest.mark.django_db
def test_api_docs_page_is_served(tenant_client):
    response = tenant_client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
