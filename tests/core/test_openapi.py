"""The OpenAPI schema generates without a warning and validates (drf-spectacular), and says
exactly what the API answers (tests/test_api_fuzz.py checks the answers against it)."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.fields import ItemsField, StrictSerializer
from apps.core.openapi import NOT_BLANK_TEXT_PATTERN, TEXT_PATTERN
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
    (406), a cursor or `after` (422), throttles (429); plus what a view declares itself (409
    and 422 among them: refusals of requests the schema allows). No `4XX` catch-all, so the
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
        "profile_password_change": ["204", "400", "401", "403", "406", "413", "415", "422", "429"],
        "profile_sessions": ["200", "401", "403", "406", "429"],
        "profile_sessions_end_all": ["200", "401", "403", "406", "429"],
        "profile_sessions_end": ["204", "401", "403", "404", "406", "429"],
        "tenant_detail": ["200", "401", "403", "406", "429"],
        "reminders_list": ["200", "400", "401", "403", "406", "429"],
        "reminders_create": ["201", "400", "401", "403", "406", "413", "415", "422", "429"],
        "reminders_detail": ["200", "401", "403", "404", "406", "429"],
        "reminders_cancel": ["200", "401", "403", "404", "406", "409", "429"],
        "notifications_list": ["200", "400", "401", "403", "406", "422", "429"],
        "notifications_read": ["200", "401", "403", "404", "406", "429"],
        "notifications_read_all": ["204", "401", "403", "406", "429"],
        "files_list": ["200", "400", "401", "403", "406", "429"],
        "files_detail": ["200", "401", "403", "404", "406", "429"],
        "files_delete": ["204", "401", "403", "404", "406", "429"],
        "files_download": ["200", "401", "403", "404", "406", "409", "429"],
        "upload_abort": ["200", "401", "403", "404", "406", "409", "429"],
        "upload_parts_list": ["200", "401", "403", "404", "406", "409", "429"],
        "upload_parts_sign": [
            "200",
            "400",
            "401",
            "403",
            "404",
            "406",
            "409",
            "413",
            "415",
            "422",
            "429",
            "503",
        ],
        "upload_complete": [
            "200",
            "400",
            "401",
            "403",
            "404",
            "406",
            "409",
            "413",
            "415",
            "422",
            "429",
            "503",
        ],
        "upload_initiate": ["201", "400", "401", "403", "406", "409", "413", "415", "422", "429"],
        "posts_list": ["200", "400", "401", "403", "406", "422", "429"],
        "posts_create": ["201", "400", "401", "403", "406", "413", "415", "422", "429"],
        "posts_schedule": ["201", "400", "401", "403", "406", "413", "415", "422", "429"],
        "posts_reschedule": [
            "200",
            "400",
            "401",
            "403",
            "404",
            "406",
            "409",
            "413",
            "415",
            "422",
            "429",
        ],
        "posts_cancel": ["200", "401", "403", "404", "406", "409", "429"],
        "posts_detail": ["200", "401", "403", "404", "406", "429"],
        "posts_update": [
            "200",
            "400",
            "401",
            "403",
            "404",
            "406",
            "409",
            "413",
            "415",
            "422",
            "429",
        ],
        "posts_delete": ["204", "401", "403", "404", "406", "409", "429"],
        "brands_list": ["200", "401", "403", "406", "429"],
        "brands_create": ["201", "400", "401", "403", "406", "409", "413", "415", "429"],
        "brands_detail": ["200", "401", "403", "404", "406", "429"],
        "brands_update": ["200", "400", "401", "403", "404", "406", "409", "413", "415", "429"],
        "brands_delete": ["204", "401", "403", "404", "406", "409", "429"],
        "categories_list": ["200", "401", "403", "406", "429"],
        "categories_create": ["201", "400", "401", "403", "406", "409", "413", "415", "422", "429"],
        "categories_detail": ["200", "401", "403", "404", "406", "429"],
        "categories_update": [
            "200",
            "400",
            "401",
            "403",
            "404",
            "406",
            "409",
            "413",
            "415",
            "422",
            "429",
        ],
        "categories_delete": ["204", "401", "403", "404", "406", "409", "429"],
        "products_list": ["200", "400", "401", "403", "406", "422", "429"],
        "products_create": ["201", "400", "401", "403", "406", "409", "413", "415", "422", "429"],
        "products_detail": ["200", "401", "403", "404", "406", "429"],
        "products_update": [
            "200",
            "400",
            "401",
            "403",
            "404",
            "406",
            "409",
            "413",
            "415",
            "422",
            "429",
        ],
        "products_delete": ["204", "401", "403", "404", "406", "429"],
        "products_import": ["200", "400", "401", "403", "406", "413", "415", "422", "429"],
        "search": ["200", "400", "401", "403", "406", "422", "429", "503"],
        "search_suggest": ["200", "400", "401", "403", "406", "429", "503"],
        "search_synonyms_list": ["200", "401", "403", "406", "429"],
        "search_synonyms_create": ["201", "400", "401", "403", "406", "413", "415", "422", "429"],
        "search_synonyms_delete": ["204", "401", "403", "404", "406", "429"],
        "orders_list": ["200", "400", "401", "403", "406", "422", "429"],
        "orders_create": [
            "200",
            "201",
            "400",
            "401",
            "403",
            "406",
            "409",
            "413",
            "415",
            "422",
            "429",
        ],
        "orders_detail": ["200", "401", "403", "404", "406", "429"],
        "orders_cancel": ["200", "401", "403", "404", "406", "409", "429"],
        "payments_webhook": ["200", "400", "401", "404", "406", "409", "413", "415", "422", "429"],
        "payments_secret": ["201", "401", "403", "406", "429"],
        "invoice_settings_detail": ["200", "401", "403", "406", "429"],
        "orders_invoice": ["200", "401", "403", "404", "406", "409", "429"],
        "invoice_settings_update": ["200", "400", "401", "403", "406", "413", "415", "422", "429"],
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
    """Each list is paged by apps/core/pagination/ and says so: its filters beside the
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


def _request_strings(schema: dict, where: str):
    """Every string schema of a request body or query parameter, with where it is."""
    if isinstance(schema, dict):
        if schema.get("type") == "string":
            yield where, schema
        for key, value in schema.items():
            if key in ("properties",):
                for name, inner in value.items():
                    yield from _request_strings(inner, f"{where}.{name}")
            elif key in ("items",):
                yield from _request_strings(value, f"{where}[]")
            elif key in ("oneOf", "anyOf"):
                for inner in value:
                    yield from _request_strings(inner, where)


@pytest.mark.django_db
def test_every_string_a_request_holds_says_what_the_server_takes(tenant_client):
    """DRF's CharField refuses NUL (and blank, unless allowed); a request string says so with
    a pattern, or is a format or a choice, so the fuzzer's valid strings are the server's."""
    schema = served_schema(tenant_client)
    strings = [
        found
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request")
        for found in _request_strings(component, name)
    ] + [
        found
        for item in schema["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        for found in _request_strings(parameter["schema"], parameter["name"])
    ]
    assert len(strings) > 40
    loose = [
        where
        for where, string in strings
        if not {"pattern", "format", "enum"} & string.keys() and string.get("maxLength") != 0
    ]
    assert loose == []


@pytest.mark.django_db
def test_request_strings_refuse_nul_and_blank_where_the_field_does(tenant_client):
    schema = served_schema(tenant_client)
    components = schema["components"]["schemas"]
    brand = components["BrandListInputRequest"]["properties"]["name"]
    upload_name = components["UploadInitiateInputRequest"]["properties"]["name"]  # not trimmed
    search = {p["name"]: p for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert (brand["pattern"], upload_name["pattern"], search["q"]["schema"]["pattern"]) == (
        NOT_BLANK_TEXT_PATTERN,
        TEXT_PATTERN,
        TEXT_PATTERN,
    )
    taken = {text: bool(re.search(NOT_BLANK_TEXT_PATTERN, text)) for text in ["a", " a ", "  "]}
    assert taken == {"a": True, " a ": True, "  ": False}
    assert not re.search(TEXT_PATTERN, "a\x00b")
    assert re.search(TEXT_PATTERN, "")


@pytest.mark.django_db
def test_pages_and_limits_say_their_ranges_and_empty_query_values_are_allowed(tenant_client):
    schema = served_schema(tenant_client)
    parameters = {p["name"]: p for p in schema["paths"]["/api/posts"]["get"]["parameters"]}
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1_000_000}
    # `?state=` is no filter, as DRF reads it.
    assert {p["allowEmptyValue"] for p in parameters.values()} == {True}


@pytest.mark.django_db
def test_a_patch_body_requires_what_its_serializer_requires(tenant_client):
    """Kura's APIViews validate a PATCH with the serializer as built, not as a partial one."""
    components = served_schema(tenant_client)["components"]["schemas"]
    assert components["BrandDetailInputRequest"]["required"] == ["name"]
    assert components["PostScheduledDetailInputRequest"]["required"] == ["publish_at"]
    assert "required" not in components["ProductUpdateRequest"]  # any of its fields
    assert "PatchedBrandDetailInputRequest" not in components


@pytest.mark.django_db
def test_lists_of_different_items_say_so(tenant_client):
    components = served_schema(tenant_client)["components"]["schemas"]
    part_numbers = components["UploadPartsInputRequest"]["properties"]["part_numbers"]
    assert (part_numbers["uniqueItems"], part_numbers["minItems"]) == (True, 1)
    terms = components["SynonymListInputRequest"]["properties"]["terms"]
    assert (terms["minItems"], terms["maxItems"]) == (2, 10)
    assert components["OrderListInputRequest"]["properties"]["lines"]["minItems"] == 1


class _Loose(serializers.Serializer):
    draft = serializers.BooleanField()


class _Line(serializers.Serializer):
    quantity = serializers.IntegerField()


class _Outer(StrictSerializer):
    lines = ItemsField(child=_Line(), max_length=10)


class _LooseApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(operation_id="loose", request=_Loose, responses={204: None})
    def post(self, request: Request) -> Response:
        return Response(status=204)


class _NestedLooseApi(_LooseApi):
    @extend_schema(operation_id="nested_loose", request=_Outer, responses={204: None})
    def post(self, request: Request) -> Response:
        return Response(status=204)


def test_a_json_body_read_by_a_serializer_that_is_not_strict_is_a_schema_warning(capsys):
    """The schema test above runs with --fail-on-warn: a new body that would take 0 for
    false, itself or in a list of objects, fails it."""
    patterns = [path("loose", _LooseApi.as_view()), path("nested", _NestedLooseApi.as_view())]
    SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    warned = capsys.readouterr().err
    assert "Warning [_LooseApi]: _LooseApi: _Loose is not a StrictSerializer" in warned
    assert "Warning [_NestedLooseApi]: _NestedLooseApi: _Line is not a StrictSerializer" in warned


@pytest.mark.django_db
def test_a_file_to_import_is_never_empty(tenant_client):
    """Django's parser drops an empty file part: the server sees no file (400)."""
    components = served_schema(tenant_client)["components"]["schemas"]
    file = components["ProductImportInputRequest"]["properties"]["file"]
    assert (file["format"], file["minLength"]) == ("binary", 1)
