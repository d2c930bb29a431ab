"""The one JSON parser: nesting measured without recursing, bodies that are not JSON (not
UTF-8, NUL bytes) refused in the error shape, every view reading JSON through it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.accounts.services import auth_token_issue
from apps.core.parsers import MAX_DEPTH, JSONParser, nesting_depth
from tests.api import api_client, bearer

pytestmark = pytest.mark.django_db


def parse_error(message: str) -> dict:
    return {"status": 400, "code": "parse_error", "message": message, "errors": {}}


TOO_DEEP = parse_error(f"JSON parse error - arrays and objects nest more than {MAX_DEPTH} deep.")


@pytest.fixture(params=["anonymous", "signed in"])
def caller(request, tenant, member) -> tuple[APIClient, str]:
    """Who posts, and where: the sign-in (no credential needed) or a new post."""
    if request.param == "anonymous":
        return api_client(tenant), "/auth/login"
    return bearer(tenant, auth_token_issue(membership=member).access_token), "/api/posts"


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize("brackets", [(b"[", b"]"), (b'{"a":', b"}")], ids=["arrays", "objects"])
@pytest.mark.parametrize("closed", [True, False], ids=["closed", "left open"])
def test_deep_nesting_is_a_parse_error_not_a_500(caller, settings, depth, brackets, closed):
    """Under a body limit that lets the deepest through: the depth refuses them."""
    settings.KURA_MAX_BODY_BYTES = 1024 * 1024
    client, path = caller
    opening, closing = brackets
    body = opening * depth + (b"1" + closing * depth if closed else b"")
    response = client.post(path, body, content_type="application/json")
    assert (response.status_code, response.json()) == (400, TOO_DEEP)


def test_nesting_up_to_the_limit_reaches_the_fields(caller):
    client, path = caller
    field = "email" if path == "/auth/login" else "body"
    value = b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)
    body = b'{"%s": %s}' % (field.encode(), value)
    response = client.post(path, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    # The fields see the value: a list where a string belongs (apps.core.fields).
    assert response.json()["errors"][field] == ["Must be a string."]
    too_deep = b'{"%s": [%s]}' % (field.encode(), value)
    response = client.post(path, too_deep, content_type="application/json")
    assert (response.status_code, response.json()) == (400, TOO_DEEP)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"email": "\xff\xfe@example.com"}',
            (
                "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 11: "
                "invalid start byte"
            ),
        ),
        (
            b'{"email": "a\x00b@example.com"}',
            "JSON parse error - Invalid control character at: line 1 column 13 (char 12)",
        ),
        (
            b'{"email"\x00: "a@example.com"}',
            "JSON parse error - Expecting ':' delimiter: line 1 column 9 (char 8)",
        ),
        (b"\x00" * 1000, "JSON parse error - Expecting value: line 1 column 1 (char 0)"),
    ],
    ids=["not UTF-8", "NUL in a string", "NUL between tokens", "only NULs"],
)
def test_bodies_that_are_not_json_are_parse_errors(caller, body, message):
    client, path = caller
    response = client.post(path, body, content_type="application/json")
    assert (response.status_code, response.json()) == (400, parse_error(message))


def test_an_escaped_nul_is_refused_by_the_field(caller):
    client, path = caller
    field = "email" if path == "/auth/login" else "body"
    response = client.post(path, f'{{"{field}": "a\\u0000b"}}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][field][0] == "Null characters are not allowed."


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"", 0),
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [{"b": 1}, []]}', 3),
        (b'["[[[[", "]]]]]]"]', 1),  # brackets in strings are text
        (b'["\\"[[[", {}]', 2),  # so are they after an escaped quote
        (b'["\\\\", [[]]]', 3),  # an escaped backslash ends before the quote
        (b'"[[[[', 0),  # a string left open runs to the end
        (b"[" * 100_000, 100_000),
    ],
)
def test_nesting_depth_is_counted_outside_strings(body, depth):
    assert nesting_depth(body) == depth


def _views(resolver: URLResolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            yield getattr(pattern.callback, "cls", None)


def test_every_api_view_reads_json_with_the_one_parser():
    views = [view for view in _views(get_resolver("config.urls_tenant")) if view is not None]
    assert views
    for view in views:
        json_parsers = [p for p in view.parser_classes if p.media_type == "application/json"]
        assert all(p is JSONParser for p in json_parsers), view
