"""The OpenAPI schema generates without a warning and validates (drf-spectacular), and says
exactly what the API answers (tests/test_api_fuzz.py checks the answers against it)."""

import pytest
import yaml
from django.core.management import call_command

from apps.reminders.services import MAX_AHEAD


def test_schema_is_valid_and_warning_free(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    operations = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    assert {
        "auth_login",
        "auth_refresh",
        "auth_logout",
        "profile",
        "reminders_create",
    } <= operations
    assert set(schema["components"]["securitySchemes"]) == {"bearer", "apiKey", "session"}


def served_schema(tenant_client) -> dict:
    response = tenant_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_every_operation_lists_exactly_the_statuses_it_answers_with(tenant_client):
    """Read from what each view is made of: a body or query (400; 413 and 415 for a body),
    authentication (401, 403), permissions (403), a path id (404), content negotiation
    (406), throttles (429); plus what a view declares itself. No `4XX` catch-all, so the
    fuzzer catches any other."""
    schema = served_schema(tenant_client)
    statuses = {
        op["operationId"]: sorted(op["responses"])
        for item in schema["paths"].values()
        for op in item.values()
    }
    assert statuses == {
        "auth_login": ["200", "400", "401", "403", "406", "413", "415", "429"],
        "auth_refresh": ["200", "400", "401", "403", "406", "413", "415", "429"],
        "auth_logout": ["204", "401", "403", "406", "429"],
        "profile": ["200", "401", "403", "406", "429"],
        "profile_password_change": ["204", "400", "401", "403", "406", "413", "415", "429"],
        "profile_sessions": ["200", "401", "403", "406", "429"],
        "profile_sessions_end_all": ["200", "401", "403", "406", "429"],
        "profile_sessions_end": ["204", "401", "403", "404", "406", "429"],
        "tenant_detail": ["200", "401", "403", "406", "429"],
        "reminders_list": ["200", "400", "401", "403", "406", "429"],
        "reminders_create": ["201", "400", "401", "403", "406", "413", "415", "429"],
        "reminders_detail": ["200", "401", "403", "404", "406", "429"],
        "reminders_cancel": ["200", "401", "403", "404", "406", "409", "429"],
        "notifications_list": ["200", "400", "401", "403", "406", "429"],
        "notifications_read": ["200", "401", "403", "404", "406", "429"],
        "notifications_read_all": ["204", "401", "403", "406", "429"],
        "files_list": ["200", "400", "401", "403", "406", "429"],
        "files_detail": ["200", "401", "403", "404", "406", "429"],
        "files_delete": ["204", "401", "403", "404", "406", "429"],
        "files_download": ["200", "401", "403", "404", "406", "409", "429"],
        "upload_abort": ["200", "401", "403", "404", "406", "409", "429"],
        "upload_parts_list": ["200", "401", "403", "404", "406", "409", "429"],
        "upload_parts_sign": ["200", "400", "401", "403", "404", "406", "409", "413", "415", "429"],
        "upload_complete": ["200", "400", "401", "403", "404", "406", "409", "413", "415", "429"],
        "upload_initiate": ["201", "400", "401", "403", "406", "409", "413", "415", "429"],
        "posts_list": ["200", "400", "401", "403", "406", "429"],
        "posts_create": ["201", "400", "401", "403", "406", "413", "415", "429"],
        "posts_schedule": ["201", "400", "401", "403", "406", "413", "415", "429"],
        "posts_reschedule": ["200", "400", "401", "403", "404", "406", "409", "413", "415", "429"],
        "posts_cancel": ["200", "401", "403", "404", "406", "409", "429"],
        "posts_detail": ["200", "401", "403", "404", "406", "429"],
        "posts_update": ["200", "400", "401", "403", "404", "406", "409", "413", "415", "429"],
        "posts_delete": ["204", "401", "403", "404", "406", "409", "429"],
        "brands_list": ["200", "401", "403", "406", "429"],
        "brands_create": ["201", "400", "401", "403", "406", "413", "415", "429"],
        "brands_detail": ["200", "401", "403", "404", "406", "429"],
        "brands_update": ["200", "400", "401", "403", "404", "406", "413", "415", "429"],
        "brands_delete": ["204", "401", "403", "404", "406", "409", "429"],
        "categories_list": ["200", "401", "403", "406", "429"],
        "categories_create": ["201", "400", "401", "403", "406", "413", "415", "429"],
        "categories_detail": ["200", "401", "403", "404", "406", "429"],
        "categories_update": ["200", "400", "401", "403", "404", "406", "413", "415", "429"],
        "categories_delete": ["204", "401", "403", "404", "406", "409", "429"],
        "products_list": ["200", "400", "401", "403", "406", "429"],
        "products_create": ["201", "400", "401", "403", "406", "413", "415", "429"],
        "products_detail": ["200", "401", "403", "404", "406", "429"],
        "products_update": ["200", "400", "401", "403", "404", "406", "413", "415", "429"],
        "products_delete": ["204", "401", "403", "404", "406", "429"],
        "products_import": ["200", "400", "401", "403", "406", "413", "415", "429"],
        "search": ["200", "400", "401", "403", "406", "429", "503"],
        "search_suggest": ["200", "400", "401", "403", "406", "429", "503"],
        "search_synonyms_list": ["200", "401", "403", "406", "429"],
        "search_synonyms_create": ["201", "400", "401", "403", "406", "413", "415", "429"],
        "search_synonyms_delete": ["204", "401", "403", "404", "406", "429"],
        "orders_list": ["200", "400", "401", "403", "406", "429"],
        "orders_create": ["200", "201", "400", "401", "403", "406", "409", "413", "415", "429"],
        "orders_detail": ["200", "401", "403", "404", "406", "429"],
        "orders_cancel": ["200", "401", "403", "404", "406", "409", "429"],
        "payments_webhook": ["200", "400", "401", "404", "406", "409", "413", "415", "429"],
        "payments_secret": ["201", "401", "403", "406", "429"],
    }


@pytest.mark.django_db
def test_rate_limited_answers_document_retry_after(tenant_client):
    schema = served_schema(tenant_client)
    for item in schema["paths"].values():
        for operation in item.values():
            assert operation["responses"]["429"]["headers"] == {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            }


@pytest.mark.django_db
def test_a_reminder_is_created_with_a_delay_or_a_time_never_both(tenant_client):
    schema = served_schema(tenant_client)
    body = schema["paths"]["/api/reminders"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReminderCreateRequest"
    }
    components = schema["components"]["schemas"]
    assert components["ReminderCreateRequest"] == {
        "oneOf": [
            {"$ref": "#/components/schemas/ReminderListDelayInputRequest"},
            {"$ref": "#/components/schemas/ReminderListTimeInputRequest"},
        ]
    }
    by_delay = components["ReminderListDelayInputRequest"]
    assert by_delay["required"] == ["delay", "message"]
    assert (
        by_delay["properties"]["delay"]["minimum"],
        by_delay["properties"]["delay"]["maximum"],
    ) == (
        1,
        int(MAX_AHEAD.total_seconds()),
    )
    at_time = components["ReminderListTimeInputRequest"]
    assert at_time["required"] == ["message", "remind_at"]
    assert at_time["properties"]["remind_at"]["format"] == "date-time"


@pytest.mark.django_db
def test_cancelling_a_reminder_answers_the_cancelled_reminder(tenant_client):
    responses = served_schema(tenant_client)["paths"]["/api/reminders/{reminder_id}"]["delete"][
        "responses"
    ]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Reminder"
    }
    assert "204" not in responses


@pytest.mark.django_db
def test_the_lists_declare_their_page_parameters_and_envelopes(tenant_client):
    """Each list is paged by apps/core/pagination.py and says so: its filters beside the
    page's parameters, and the page's envelope around its items."""
    schema = served_schema(tenant_client)
    lists = {
        path: schema["paths"][path]["get"]
        for path in ("/api/reminders", "/api/notifications", "/api/files")
    }
    assert {path: sorted(p["name"] for p in op["parameters"]) for path, op in lists.items()} == {
        "/api/reminders": ["limit", "page", "status"],
        "/api/notifications": ["cursor", "limit", "unread"],
        "/api/files": ["limit", "page", "state", "type"],
    }
    refs = {
        path: op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        for path, op in lists.items()
    }
    assert refs == {
        "/api/reminders": "#/components/schemas/ReminderOffsetPage",
        "/api/notifications": "#/components/schemas/NotificationListOutput",
        "/api/files": "#/components/schemas/FileOffsetPage",
    }
    components = schema["components"]["schemas"]
    offset = ["has_next", "has_previous", "limit", "page", "results", "total"]
    offset += ["total_is_estimate", "total_pages"]
    for name, item in (("ReminderOffsetPage", "Reminder"), ("FileOffsetPage", "File")):
        assert sorted(components[name]["required"]) == offset
        assert components[name]["properties"]["results"]["items"] == {
            "$ref": f"#/components/schemas/{item}"
        }
    feed = components["NotificationListOutput"]
    assert sorted(feed["required"]) == [
        "has_more",
        "limit",
        "next_cursor",
        "previous_cursor",
        "results",
        "unread",
    ]
    assert feed["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Notification"}
