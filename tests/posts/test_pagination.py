"""The feed's pages under change and at depth: a cursor walk while posts come and go sees
every surviving post exactly once, and a deep keyset or cursor page is an index scan that
starts at its position (no sort, no reading of the rows before it)."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.core.pagination import (
    CursorParams,
    KeysetParams,
    cursor_page,
    keyset_page,
    keyset_token_parse,
)
from apps.posts.models import Post
from apps.posts.selectors import ORDERINGS, post_list
from apps.tenants.rowsecurity import app_role
from tests.posts.factories import posts_insert

pytestmark = pytest.mark.django_db


def test_a_cursor_walk_sees_every_surviving_post_once_while_posts_come_and_go(
    tenant, member, client_of
):
    start = timezone.now() - timedelta(days=30)
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=1000, start=start, step=timedelta(minutes=1))
        original = list(Post.objects.order_by("-published_at", "-id").values_list("pk", flat=True))
    client = client_of(member)
    seen: list[int] = []
    deleted: set[int] = set()
    cursor = ""
    for page in range(1, 200):
        body = client.get("/api/posts", {"limit": 20, "cursor": cursor}).json()
        seen += [p["id"] for p in body["results"]]
        if not body["has_more"]:
            break
        cursor = body["next_cursor"]
        connection.set_schema_to_public()
        with schema_context(tenant.schema_name):
            if page <= 25:
                # Four new posts a page (100 in all): two at the top of the feed, two
                # published (clock skew, an import) among the posts still far ahead.
                posts_insert(author=member.user, count=2)
                posts_insert(author=member.user, count=2, start=start + timedelta(seconds=page * 7))
            if page <= 25:
                # Two deletions a page (50 in all): one already seen, one still ahead.
                ahead = original[len(seen) + page]
                Post.objects.filter(pk__in=[seen[page], ahead]).delete()
                deleted |= {seen[page], ahead}
    assert len(seen) == len(set(seen)), "a post was shown twice"
    surviving = [pk for pk in original if pk not in deleted]
    missing = [pk for pk in surviving if pk not in set(seen) and pk not in deleted]
    assert missing == []
    assert len(deleted) == 50
    # The new posts inserted ahead of the walk were seen once each; those at the top not.
    with schema_context(tenant.schema_name):
        new = Post.objects.exclude(pk__in=original)
        top = set(
            new.filter(published_at__gt=timezone.now() - timedelta(hours=1)).values_list(
                "pk", flat=True
            )
        )
        ahead_inserted = set(new.values_list("pk", flat=True)) - top
    assert len(top) == len(ahead_inserted) == 50
    assert ahead_inserted <= set(seen)
    assert not top & set(seen)


def plan_of(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict) -> list[dict]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += nodes(child)
    return found


def page_sql(run) -> tuple[str, tuple]:
    with CaptureQueriesContext(connection) as queries:
        run()
    (query,) = [q for q in queries.captured_queries if 'FROM "posts_post" ' in q["sql"]]
    return query["sql"], ()


@pytest.mark.parametrize("state", ["published", "draft"])
def test_a_deep_page_is_an_index_scan_from_its_position(tenant, member, state):
    principal = Principal.of_membership(member)
    with schema_context(tenant.schema_name):
        posts_insert(author=member.user, count=20_000)
        if state == "draft":
            Post.objects.update(state="draft", published_at=None)
        with connection.cursor() as cursor:
            # Statistics as autovacuum keeps them in production, for the rows of this
            # transaction: ANALYZE is the tables' owner's (the app role would skip it).
            cursor.execute("RESET ROLE")
            cursor.execute("ANALYZE posts_post")
            cursor.execute("ANALYZE accounts_user")
            cursor.execute(f"SET ROLE {app_role()}")
        posts = post_list(actor=principal, state=state)
        ordering = ORDERINGS[state]
        deep = posts.order_by(*ordering.fields)[15_000]
        moment = getattr(deep, ordering.time_field)
        token = f"{moment.isoformat()}_{deep.pk}"
        assert keyset_token_parse(token)[1] == str(deep.pk)
        keyset = page_sql(
            lambda: keyset_page(
                posts,
                params=KeysetParams.from_query({"after": token}),
                time_field=ordering.time_field,
                descending=ordering.descending,
            )
        )
        first = cursor_page(
            posts, params=CursorParams(limit=20), endpoint="test", ordering=ordering.fields
        )
        assert first.next_cursor is not None
        cursor_sql = page_sql(
            lambda: cursor_page(
                posts,
                params=CursorParams(cursor=first.next_cursor, limit=20),
                endpoint="test",
                ordering=ordering.fields,
            )
        )
        index = "post_published_id" if state == "published" else "post_created_id"
        for sql, params in (keyset, cursor_sql):
            plan = plan_of(sql, params)
            assert plan["Node Type"] == "Limit"
            kinds = [(node["Node Type"], node.get("Index Name")) for node in nodes(plan)]
            assert "Sort" not in [kind for kind, _index in kinds], kinds
            (scan,) = [node for node in nodes(plan) if node.get("Index Name") == index]
            assert scan["Node Type"] == "Index Scan", kinds
            assert scan["Scan Direction"] == ("Backward" if ordering.descending else "Forward")
            # The scan starts at the position: the row value is the index condition.
            condition = (
                f"(ROW({ordering.time_field}, id) {'<' if ordering.descending else '>'} ROW("
            )
            assert scan["Index Cond"].startswith(condition), scan["Index Cond"]
