"""The feed's reads on real PostgreSQL: a page deep in a person's notifications reads the
index on `(user, -created_at, -id)` from the cursor's position."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.core.pagination import CursorParams, cursor_page
from apps.notifications import selectors
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db
TABLE = "notifications_notification"


def make_rows(user_id: int, count: int) -> None:
    """`count` notifications of the person, three to a minute (the id breaks ties). SQL,
    since auto_now_add would stamp them all now."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (user_id, kind, title, body, link, created_at) "  # noqa: S608
            "SELECT %s, 'test', 'n' || g, '', '', now() - (g / 3) * interval '1 minute' "
            "FROM generate_series(1, %s) g",
            [user_id, count],
        )


def test_a_deep_feed_page_is_an_index_scan_from_the_position(tenant, member):
    other = MembershipFactory(tenant=tenant)
    with schema_context(tenant.schema_name):
        make_rows(member.user_id, 3000)
        make_rows(other.user_id, 3000)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
        feed = selectors.notification_list(actor=Principal.of_membership(member))
        cursor_text = None
        for _ in range(3):  # three pages in, by the feed's own cursors
            page = cursor_page(
                feed,
                params=CursorParams(cursor=cursor_text, limit=20),
                endpoint="notifications_list",
                ordering=selectors.NOTIFICATION_ORDERING,
            )
            cursor_text = page.next_cursor
        with CaptureQueriesContext(connection) as queries:
            page = cursor_page(
                feed,
                params=CursorParams(cursor=cursor_text, limit=20),
                endpoint="notifications_list",
                ordering=selectors.NOTIFICATION_ORDERING,
            )
        expected = list(feed.values_list("pk", flat=True)[60:80])
        assert [row.pk for row in page.results] == expected
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {queries.captured_queries[0]['sql']}")
            raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    assert plan["Node Type"] == "Limit"
    scan = plan["Plans"][0]
    assert (scan["Node Type"], scan["Index Name"]) == (
        "Index Scan",
        "notificatio_user_id_90f3d6_idx",
    )
    # The person and the position are both index conditions: the 21 rows of the page, not
    # the 60 before them or anyone else's.
    assert scan["Index Cond"].startswith(
        f"((user_id = {member.user_id}) AND (ROW(created_at, id) <"
    )
    assert scan["Actual Rows"] == 21
    assert "Rows Removed by Filter" not in scan
