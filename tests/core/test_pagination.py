"""apps/core/pagination/ on real PostgreSQL: notifications of the `tenant` fixture's schema
stand in for any list ordered by `(created_at, id)`."""

import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import translation
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.core.pagination import (
    CURSOR_PATTERN,
    KEYSET_POSITION_PATTERN,
    MAX_CURSOR_LENGTH,
    CursorParams,
    KeysetParams,
    OffsetParams,
    cursor_envelope,
    cursor_page,
    cursor_parameters,
    keyset_envelope,
    keyset_page,
    keyset_parameters,
    keyset_token,
    numbered_page,
    offset_envelope,
    offset_page,
    offset_parameters,
)
from apps.notifications.models import Notification
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db
BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
TABLE = "notifications_notification"


def make_rows(user_id: int, count: int, *, start: int = 1, base: datetime = BASE) -> None:
    """`count` notifications titled n<start>…, three to a timestamp (so the id breaks ties),
    one minute apart, older as the number grows. SQL, since auto_now_add would stamp now."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (user_id, kind, title, body, link, created_at) "  # noqa: S608
            "SELECT %s, 'test', 'n' || g, '', '', %s - (g / 3) * interval '1 minute' "
            "FROM generate_series(%s, %s) g ORDER BY g",
            [user_id, base, start, start + count - 1],
        )


def newest_first() -> list[int]:
    return list(Notification.objects.order_by("-created_at", "-id").values_list("pk", flat=True))


def ids(rows: list[Notification]) -> list[int]:
    return [row.pk for row in rows]


@pytest.fixture
def user_id(tenant) -> int:
    return MembershipFactory(tenant=tenant).user_id


@pytest.fixture
def in_tenant(tenant):
    with schema_context(tenant.schema_name):
        yield


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class OffsetListApi(APIView):
    """A list the way a view uses the module, with DRF's handling of errors."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="items_offset",
        parameters=offset_parameters(),
        responses=offset_envelope(ItemSerializer),
    )
    def get(self, request: Request) -> Response:
        page = offset_page(
            Notification.objects.all(), params=OffsetParams.from_query(request.query_params)
        )
        return Response(offset_envelope(ItemSerializer)(page).data)


class CursorListApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="items_cursor",
        parameters=cursor_parameters(),
        responses=cursor_envelope(ItemSerializer),
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind", "test")
        page = cursor_page(
            Notification.objects.filter(kind=kind),
            params=CursorParams.from_query(request.query_params),
            endpoint=request.query_params.get("endpoint", "items"),
            filters={"kind": kind},
        )
        return Response(cursor_envelope(ItemSerializer)(page).data)


class KeysetListApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="items_keyset",
        parameters=keyset_parameters(),
        responses=keyset_envelope(ItemSerializer),
    )
    def get(self, request: Request) -> Response:
        page = keyset_page(
            Notification.objects.all(), params=KeysetParams.from_query(request.query_params)
        )
        return Response(keyset_envelope(ItemSerializer)(page).data)


def call(view: type[APIView], **query: Any) -> Response:
    return view.as_view()(APIRequestFactory().get("/items", query))


# Bad input ----------------------------------------------------------------------------------


@translation.override("en")
@pytest.mark.parametrize(
    ("view", "field", "value"),
    [
        (OffsetListApi, "page", "0"),
        (OffsetListApi, "page", "-1"),
        (OffsetListApi, "page", "abc"),
        (OffsetListApi, "page", "1.5"),
        (OffsetListApi, "page", "99999999999999999999999"),
        (OffsetListApi, "limit", "0"),
        (OffsetListApi, "limit", "1000"),
        (OffsetListApi, "limit", "101"),
        (CursorListApi, "limit", "0"),
        (KeysetListApi, "limit", "1000"),
    ],
)
def test_bad_page_or_limit_is_400_naming_the_field(in_tenant, view, field, value):
    response = call(view, **{field: value})
    assert response.status_code == 400
    maximum = "1000000" if field == "page" else "100"
    assert response.data == {
        "status": 400,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": {field: [f"Enter a whole number from 1 to {maximum}."]},
    }


@translation.override("en")
@pytest.mark.parametrize(
    "after",
    [
        "garbage",
        "2026-11-01T12:00:00Z",  # no id
        "2026-11-01T12:00:00Z_",  # empty id
        "2026-11-01T12:00:00_5",  # no zone
        "2026-11-01 12:00:00Z_5",  # not the form next_after has
        "2026-11-01T12:00:00Z_5 6",
        "2026-11-01T12:00:00Z_" + "9" * 37,  # longer than any key
    ],
)
def test_a_malformed_after_is_400_naming_the_field(in_tenant, after):
    """What the schema's pattern for `after` refuses, the server refuses as malformed."""
    response = call(KeysetListApi, after=after)
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["errors"] == {
        "after": ["Enter a position as <ISO 8601 time>_<id>, as `next_after` gives it."]
    }
    assert not re.search(KEYSET_POSITION_PATTERN, after)


@translation.override("en")
@pytest.mark.parametrize(
    "after",
    [
        "2026-13-01T12:00:00Z_5",  # no such month
        "2026-11-01T12:00:00Z_abc",  # not an id of this list
        "2026-11-01T12:00:00Z_" + "9" * 30,  # over the key's range
    ],
)
def test_an_after_of_the_right_form_naming_no_position_is_422(in_tenant, after):
    """The schema's pattern takes it; what it names is not a position of this list."""
    response = call(KeysetListApi, after=after)
    assert response.status_code == 422
    assert response.data == {
        "status": 422,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": {"after": ["This position is not valid for this list."]},
    }
    assert re.search(KEYSET_POSITION_PATTERN, after)


def a_next_cursor(user_id: int) -> str:
    make_rows(user_id, 5)
    cursor = call(CursorListApi, limit="2").data["next_cursor"]
    assert cursor
    return cursor


def flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


@translation.override("en")
def test_tampered_truncated_or_random_cursor_is_422_invalid_cursor(in_tenant, user_id):
    """Of the form the schema describes, but not a cursor this list made."""
    cursor = a_next_cursor(user_id)
    for bad in [
        flip(cursor, 3),
        flip(cursor, len(cursor) - 2),
        cursor[:-1],
        cursor[: len(cursor) // 2],
        "garbage",
        "x" * 1000,
        ":::",
        cursor + "x",
    ]:
        assert re.search(CURSOR_PATTERN, bad)
        response = call(CursorListApi, cursor=bad)
        assert response.status_code == 422, bad
        assert response.data == {
            "status": 422,
            "code": "invalid_cursor",
            "message": "The cursor is not valid for this list; start again from the first page.",
            "errors": {},
        }
    assert call(CursorListApi, cursor=cursor).status_code == 200


@translation.override("en")
@pytest.mark.parametrize("cursor", ["x" * 1001, "not a cursor", "カーソル", "abc\x00"])
def test_a_cursor_of_another_form_is_400_naming_the_field(in_tenant, cursor):
    assert not re.search(CURSOR_PATTERN, cursor) or len(cursor) > MAX_CURSOR_LENGTH
    response = call(CursorListApi, cursor=cursor)
    assert response.status_code == 400
    assert response.data["errors"] == {
        "cursor": ["Enter a cursor as `next_cursor` or `previous_cursor` gives it."]
    }


def test_cursor_of_another_endpoint_filters_or_tenant_is_422(tenant, other_tenant, user_id):
    with schema_context(tenant.schema_name):
        cursor = a_next_cursor(user_id)
        assert call(CursorListApi, cursor=cursor, endpoint="other").data["code"] == (
            "invalid_cursor"
        )
        assert call(CursorListApi, cursor=cursor, kind="other").data["code"] == "invalid_cursor"
        assert call(CursorListApi, cursor=cursor).status_code == 200
    with schema_context(other_tenant.schema_name):
        response = call(CursorListApi, cursor=cursor)
    assert response.status_code == 422
    assert response.data["code"] == "invalid_cursor"


# Offset -------------------------------------------------------------------------------------


def test_offset_pages_with_exact_totals(in_tenant, user_id):
    make_rows(user_id, 45)
    order = newest_first()
    first = call(OffsetListApi, limit="20").data
    assert [r["id"] for r in first["results"]] == order[:20]
    assert {k: v for k, v in first.items() if k != "results"} == {
        "page": 1,
        "limit": 20,
        "total": 45,
        "total_is_estimate": False,
        "total_pages": 3,
        "has_next": True,
        "has_previous": False,
    }
    last = call(OffsetListApi, page="3", limit="20").data
    assert [r["id"] for r in last["results"]] == order[40:]
    assert (last["total"], last["has_next"], last["has_previous"]) == (45, False, True)
    past = call(OffsetListApi, page="99", limit="20").data
    assert {k: v for k, v in past.items() if k != "results"} == {
        "page": 99,
        "limit": 20,
        "total": 45,
        "total_is_estimate": False,
        "total_pages": 3,
        "has_next": False,
        "has_previous": True,
    }
    assert past["results"] == []


def test_offset_defaults_and_empty_list(in_tenant, user_id):
    empty = offset_page(Notification.objects.all(), params=OffsetParams.from_query({}))
    assert (empty.results, empty.page, empty.limit, empty.total, empty.total_pages) == (
        [],
        1,
        20,
        0,
        0,
    )
    assert (empty.has_next, empty.has_previous, empty.total_is_estimate) == (False, False, False)


def test_offset_total_is_the_planners_estimate_above_the_bound(in_tenant, user_id):
    make_rows(user_id, 120)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    queryset = Notification.objects.all()
    exact = offset_page(queryset, params=OffsetParams(page=2, limit=10), exact_up_to=120)
    assert (exact.total, exact.total_is_estimate, exact.total_pages) == (120, False, 12)

    with CaptureQueriesContext(connection) as queries:
        page = offset_page(queryset, params=OffsetParams(page=2, limit=10), exact_up_to=50)
    assert (page.total, page.total_is_estimate, page.total_pages) == (120, True, 12)
    assert ids(page.results) == newest_first()[10:20]
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len(sqls) == 3
    # The count stops at the bound; the total comes from EXPLAIN, not a count of the table.
    assert "LIMIT 51" in sqls[1]
    assert sqls[1].startswith("SELECT COUNT(*) FROM (SELECT")
    assert sqls[2].startswith("EXPLAIN (FORMAT JSON) SELECT")


def test_an_estimate_below_what_the_page_shows_is_raised_to_it(in_tenant, user_id):
    """Statistics from before the rows changed make the planner expect one row."""
    make_rows(user_id, 60)
    Notification.objects.update(kind="old")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    Notification.objects.update(kind="test")
    queryset = Notification.objects.filter(kind="test")
    page = offset_page(queryset, params=OffsetParams(page=5, limit=10), exact_up_to=5)
    # Page 5 of 10 rows, and a row after it: at least 51, whatever the planner thinks.
    assert (page.total, page.total_is_estimate, page.total_pages) == (51, True, 6)
    assert page.has_next is True
    last = offset_page(queryset, params=OffsetParams(page=6, limit=10), exact_up_to=5)
    assert (last.total, last.total_is_estimate, last.has_next) == (60, False, False)


def test_offset_queries_per_page(in_tenant, user_id, django_assert_num_queries):
    make_rows(user_id, 45)
    queryset = Notification.objects.all()
    with django_assert_num_queries(1):  # the last page's length is the total
        offset_page(queryset, params=OffsetParams(page=3, limit=20))
    with django_assert_num_queries(1):  # so is a short first page's
        offset_page(queryset, params=OffsetParams(page=1, limit=50))
    with django_assert_num_queries(2):  # the page and a bounded count
        offset_page(queryset, params=OffsetParams(page=1, limit=20))
    with django_assert_num_queries(2):  # past the end
        offset_page(queryset, params=OffsetParams(page=7, limit=20))
    with django_assert_num_queries(3):  # and the planner's estimate
        offset_page(queryset, params=OffsetParams(page=1, limit=20), exact_up_to=30)


# Cursor -------------------------------------------------------------------------------------


def test_cursor_traversal_under_inserts_and_deletes_sees_every_survivor_once(in_tenant, user_id):
    make_rows(user_id, 300)
    original = set(newest_first())
    expected = set(original)  # grows by rows inserted ahead, shrinks by unseen deletions
    seen: list[tuple[datetime, int]] = []
    cursor = None
    for n in itertools.count():
        page = cursor_page(
            Notification.objects.all(),
            params=CursorParams(cursor=cursor, limit=25),
            endpoint="items",
        )
        seen += [(row.created_at, row.pk) for row in page.results]
        if not page.has_more:
            break
        cursor = page.next_cursor
        # Between pages: newer rows (behind the position), rows among those still to come,
        # and deletions of rows already seen and of rows not yet reached.
        before = set(Notification.objects.values_list("pk", flat=True))
        make_rows(user_id, 3, start=1000 + 10 * n, base=BASE + timedelta(days=1))
        make_rows(user_id, 3, start=3 * n + 100, base=BASE - timedelta(seconds=1))
        position = seen[-1]
        for row in Notification.objects.exclude(pk__in=before):
            if (row.created_at, row.pk) < position:
                expected.add(row.pk)
        seen_pks = [pk for _at, pk in seen]
        unseen = [pk for pk in newest_first() if pk in expected and pk not in seen_pks]
        victims = {*unseen[1:3], *seen_pks[-3:-1]}
        Notification.objects.filter(pk__in=victims).delete()
        expected -= set(unseen[1:3])

    seen_pks = [pk for _at, pk in seen]
    assert len(seen_pks) == len(set(seen_pks)), "a row came twice"
    assert seen == sorted(seen, reverse=True), "out of order"
    assert set(seen_pks) == expected, "a row was skipped, or one deleted or behind was shown"
    # 12 pages; 10 rows inserted ahead were seen, 20 original rows deleted before reached.
    assert (n + 1, len(seen_pks), len(expected - original), len(original - expected)) == (
        12,
        290,
        10,
        20,
    )


def test_previous_cursor_goes_back(in_tenant, user_id):
    make_rows(user_id, 50)
    order = newest_first()
    queryset = Notification.objects.all()

    def page(cursor: str | None) -> Any:
        return cursor_page(queryset, params=CursorParams(cursor=cursor, limit=10), endpoint="e")

    first = page(None)
    assert first.previous_cursor is None
    second = page(first.next_cursor)
    third = page(second.next_cursor)
    assert ids(third.results) == order[20:30]
    back = page(third.previous_cursor)
    assert ids(back.results) == order[10:20]
    assert back.has_more is True
    front = page(back.previous_cursor)
    assert ids(front.results) == order[:10]
    assert front.previous_cursor is None
    assert ids(page(front.next_cursor).results) == order[10:20]
    fifth = page(page(third.next_cursor).next_cursor)
    assert ids(fifth.results) == order[40:]
    assert (fifth.has_more, fifth.next_cursor) == (False, None)
    # A row newer than the first page appears when going back past it.
    make_rows(user_id, 1, start=1, base=BASE + timedelta(days=1))
    assert ids(page(page(second.previous_cursor).previous_cursor).results) == newest_first()[:1]


@pytest.mark.parametrize(
    "ordering", [("-created_at", "id"), ("created_at", "-id"), ("created_at", "id"), ("-id",)]
)
def test_cursor_any_ordering_forth_and_back(in_tenant, user_id, ordering):
    make_rows(user_id, 40)
    queryset = Notification.objects.all()
    order = ids(list(queryset.order_by(*ordering)))

    def page(cursor: str | None) -> Any:
        params = CursorParams(cursor=cursor, limit=7)
        return cursor_page(queryset, params=params, endpoint="e", ordering=ordering)

    forth, cursor = [], None
    while True:
        current = page(cursor)
        forth.append(ids(current.results))
        if not current.has_more:
            break
        cursor = current.next_cursor
    assert list(itertools.chain(*forth)) == order
    back, cursor = [], current.previous_cursor
    while cursor is not None:
        current = page(cursor)
        back.append(ids(current.results))
        cursor = current.previous_cursor
    assert back == forth[-2::-1]


def test_cursor_page_is_one_query(in_tenant, user_id, django_assert_num_queries):
    make_rows(user_id, 30)
    queryset = Notification.objects.all()
    with django_assert_num_queries(1):
        first = cursor_page(queryset, params=CursorParams(limit=10), endpoint="e")
    with django_assert_num_queries(1):
        cursor_page(queryset, params=CursorParams(cursor=first.next_cursor, limit=10), endpoint="e")


def test_cursor_is_opaque_and_short(in_tenant, user_id):
    cursor = a_next_cursor(user_id)
    assert len(cursor) < 200
    assert "created_at" not in cursor
    assert "2026" not in cursor


# Keyset -------------------------------------------------------------------------------------


def test_keyset_token_reads_and_round_trips(in_tenant, user_id):
    moment = datetime(2026, 11, 1, 21, 0, 0, 123456, tzinfo=UTC)
    assert keyset_token(moment, 42) == "2026-11-01T21:00:00.123456Z_42"
    assert KeysetParams.from_query({"after": "2026-11-01T21:00:00.123456Z_42"}).after == (
        moment,
        "42",
    )


def test_keyset_cursor_and_offset_orders_agree(in_tenant, user_id):
    make_rows(user_id, 95)
    queryset = Notification.objects.all()
    by_keyset: list[int] = []
    after = None
    while True:
        page = keyset_page(
            queryset, params=KeysetParams.from_query({"after": after or "", "limit": "20"})
        )
        by_keyset += ids(page.results)
        if not page.has_next:
            assert page.next_after is None
            break
        after = page.next_after
    by_offset: list[int] = []
    for number in itertools.count(1):
        offset = offset_page(queryset, params=OffsetParams(page=number, limit=20))
        by_offset += ids(offset.results)
        if not offset.has_next:
            break
    by_cursor: list[int] = []
    cursor = None
    while True:
        feed = cursor_page(queryset, params=CursorParams(cursor=cursor, limit=20), endpoint="e")
        by_cursor += ids(feed.results)
        if not feed.has_more:
            break
        cursor = feed.next_cursor
    assert by_keyset == by_offset == by_cursor == newest_first()
    assert len(by_keyset) == 95


def test_keyset_through_the_api_and_past_the_end(in_tenant, user_id):
    make_rows(user_id, 3)
    order = newest_first()
    first = call(KeysetListApi, limit="2").data
    assert [r["id"] for r in first["results"]] == order[:2]
    assert first["has_next"] is True
    last_row = Notification.objects.get(pk=order[1])
    assert first["next_after"] == keyset_token(last_row.created_at, last_row.pk)
    second = call(KeysetListApi, limit="2", after=first["next_after"]).data
    assert [r["id"] for r in second["results"]] == order[2:]
    assert (second["has_next"], second["next_after"]) == (False, None)
    past = call(KeysetListApi, after="2000-01-01T00:00:00Z_1").data
    assert (past["results"], past["has_next"]) == ([], False)


def test_keyset_oldest_first(in_tenant, user_id):
    make_rows(user_id, 7)
    queryset = Notification.objects.all()
    first = keyset_page(queryset, params=KeysetParams(limit=4), descending=False)
    second = keyset_page(
        queryset,
        params=KeysetParams.from_query({"after": first.next_after, "limit": "4"}),
        descending=False,
    )
    assert ids(first.results) + ids(second.results) == newest_first()[::-1]
    assert (first.has_next, second.has_next) == (True, False)


@translation.override("en")
def test_a_page_view_reads_the_query_dict(in_tenant, user_id):
    """Server-rendered pages pass `request.GET`; a repeated parameter counts once (the last)."""
    make_rows(user_id, 5)
    query = RequestFactory().get("/feed/archive?page=9&page=2&limit=3").GET
    page = offset_page(Notification.objects.all(), params=OffsetParams.from_query(query))
    assert (ids(page.results), page.page, page.total_pages) == (newest_first()[3:], 2, 2)
    with pytest.raises(ValidationError) as refused:
        OffsetParams.from_query(RequestFactory().get("/feed/archive?limit=x").GET)
    assert refused.value.message_dict == {"limit": ["Enter a whole number from 1 to 100."]}


def test_an_unordered_queryset_is_refused(in_tenant):
    with pytest.raises(ValueError, match="unordered"):
        offset_page(Notification.objects.order_by(), params=OffsetParams())


def test_keyset_page_is_one_query(in_tenant, user_id, django_assert_num_queries):
    make_rows(user_id, 30)
    with django_assert_num_queries(1):
        keyset_page(
            Notification.objects.all(),
            params=KeysetParams.from_query({"after": "2026-11-01T11:55:00Z_1"}),
        )


def test_keyset_query_at_depth_is_an_index_scan(in_tenant, user_id):
    """With a composite index on the key, the page at depth reads the index from the
    position: no sort, and no rows before the position."""
    make_rows(user_id, 3000)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX pagination_test_idx ON {TABLE} (created_at, id)")
        cursor.execute(f"ANALYZE {TABLE}")
    deep = Notification.objects.order_by("-created_at", "-id")[2500]
    params = KeysetParams.from_query({"after": keyset_token(deep.created_at, deep.pk)})
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(Notification.objects.all(), params=params)
    assert ids(page.results) == newest_first()[2501:2521]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {queries.captured_queries[0]['sql']}")
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    assert plan["Node Type"] == "Limit"
    scan = plan["Plans"][0]
    assert (scan["Node Type"], scan["Index Name"], scan["Scan Direction"]) == (
        "Index Scan",
        "pagination_test_idx",
        "Backward",
    )
    # Read from the position: the limit's 21 rows, not the 2,500 before them.
    at = deep.created_at.strftime("%Y-%m-%d %H:%M:%S+00")  # the rows are whole minutes
    assert scan["Index Cond"] == (
        f"(ROW(created_at, id) < ROW('{at}'::timestamp with time zone, {deep.pk}))"
    )
    assert scan["Actual Rows"] == 21
    assert "Rows Removed by Filter" not in scan


# OpenAPI ------------------------------------------------------------------------------------


def test_views_declare_parameters_and_envelopes_in_the_schema():
    patterns = [
        path("items/offset", OffsetListApi.as_view()),
        path("items/cursor", CursorListApi.as_view()),
        path("items/keyset", KeysetListApi.as_view()),
    ]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    params = {
        p: [q["name"] for q in item["get"]["parameters"]] for p, item in schema["paths"].items()
    }
    assert params == {
        "/items/offset": ["limit", "page"],
        "/items/cursor": ["cursor", "limit"],
        "/items/keyset": ["after", "limit"],
    }
    responses = {
        p: item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        for p, item in schema["paths"].items()
    }
    assert responses == {
        "/items/offset": "#/components/schemas/ItemOffsetPage",
        "/items/cursor": "#/components/schemas/ItemCursorPage",
        "/items/keyset": "#/components/schemas/ItemKeysetPage",
    }
    assert "400" in schema["paths"]["/items/offset"]["get"]["responses"]
    components = schema["components"]["schemas"]
    assert sorted(components["ItemOffsetPage"]["properties"]) == [
        "has_next",
        "has_previous",
        "limit",
        "page",
        "results",
        "total",
        "total_is_estimate",
        "total_pages",
    ]
    assert sorted(components["ItemCursorPage"]["properties"]) == [
        "has_more",
        "limit",
        "next_cursor",
        "previous_cursor",
        "results",
    ]
    assert components["ItemCursorPage"]["properties"]["results"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Item"},
    }
    assert sorted(components["ItemKeysetPage"]["properties"]) == [
        "has_next",
        "limit",
        "next_after",
        "results",
    ]


@pytest.mark.usefixtures("in_tenant")
def test_a_numbered_page_needs_one_query_and_no_count(user_id, django_assert_num_queries):
    make_rows(user_id, 7)
    ordered = Notification.objects.order_by("-created_at", "-id")
    with django_assert_num_queries(1):
        second = numbered_page(ordered, number=2, size=3)
    assert (ids(second.items), second.number) == (newest_first()[3:6], 2)
    assert (second.has_previous, second.has_next) == (True, True)
    last = numbered_page(ordered, number=3, size=3)
    assert (ids(last.items), last.has_next) == (newest_first()[6:], False)
    # A page number out of range is clamped, not refused: it comes from a page's link.
    assert numbered_page(ordered, number=-4, size=3).number == 1
    assert numbered_page(ordered, number=10**12, size=3).items == []
    with pytest.raises(ValueError, match="unordered"):
        numbered_page(Notification.objects.order_by(), number=1, size=3)
