"""What a page costs at depth: page 1 and page 10,000 (offset 199,980) of a million rows,
limit 20, with offset, cursor and keyset pagination (apps/core/pagination.py).

One tenant in a database of its own (kura_bench_pagination, dropped at the end) gets
1,000,000 rows generated in SQL (notifications stand in for posts until the posts app
exists: same `(created_at, id)` ordering, and the composite index on it that posts will
declare). For each style and page, in the same run:
  call   the module's function end to end (Python and every query it makes), median of runs;
  exec   `EXPLAIN (ANALYZE, BUFFERS)` of its page query: execution time, median of runs;
  bufs   shared buffers that query touched (hit + read);
and the ratio page 10,000 / page 1 (goal: at most 1.5 for keyset and cursor; offset is
expected to be far worse). Then what the offset total costs: the bounded count plus the
planner's estimate the module uses, against an exact `count(*)`.

    .venv/bin/python bench/pagination.py --rows 1000000 --runs 15
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.servers import databases_drop, databases_reset, own_databases

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
DB = "kura_bench_pagination"
own_databases(DB)
LIMIT = 20
DEEP_PAGE = 10_000
TABLE = "notifications_notification"


def generate(rows: int) -> None:
    """A million rows in seconds: one INSERT … SELECT, then the index and statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (user_id, kind, title, body, link, created_at) "  # noqa: S608
            "SELECT 1 + g %% 50, 'post', 'post ' || g, '', '', "
            "timestamptz '2026-01-01' + (g / 2) * interval '1 second' "
            "FROM generate_series(1, %s) g",
            [rows],
        )
        cursor.execute(f"CREATE INDEX bench_created_id ON {TABLE} (created_at, id)")
        cursor.execute(f"VACUUM ANALYZE {TABLE}")


def explain(sql: str) -> tuple[float, int, str]:
    """Execution time (ms), shared buffers hit + read, and the top plan node types."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
    result = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    plan = result["Plan"]
    nodes = []
    node = plan
    while node is not None:
        nodes.append(node["Node Type"])
        node = (node.get("Plans") or [None])[0]
    buffers = plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]
    return result["Execution Time"], buffers, " > ".join(nodes)


def measure(call: Callable[[], Any], runs: int) -> tuple[float, float, int, str]:
    """Median wall time of `call` (ms), and of its first query's execution under EXPLAIN."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm the cache: every style is measured on a warm buffer pool
    with CaptureQueriesContext(connection) as queries:
        call()
    page_sql = queries.captured_queries[0]["sql"]
    walls, execs = [], []
    buffers, plan = 0, ""
    for _ in range(runs):
        start = time.perf_counter()
        call()
        walls.append((time.perf_counter() - start) * 1000)
        ms, buffers, plan = explain(page_sql)
        execs.append(ms)
    return statistics.median(walls), statistics.median(execs), buffers, plan


def pages(runs: int) -> None:
    """Page 1 and page 10,000 of each style, side by side."""
    from apps.core import pagination as p
    from apps.notifications.models import Notification

    rows = Notification.objects.order_by("-created_at", "-id")
    deep_offset = (DEEP_PAGE - 1) * LIMIT
    before = rows[deep_offset - 1]  # the last row of page 9,999
    after = p.keyset_token(before.created_at, before.pk)
    # The cursor page 9,999 hands out, built as cursor_page builds it.
    codec = p._CursorCodec(endpoint="bench", ordering=("-created_at", "-id"), filters={})  # noqa: SLF001
    cursor = codec.encode("next", [before.created_at, before.pk])

    def offset(page: int) -> Callable[[], Any]:
        return lambda: p.offset_page(rows, params=p.OffsetParams(page=page, limit=LIMIT))

    def by_cursor(token: str | None) -> Callable[[], Any]:
        params = p.CursorParams(cursor=token, limit=LIMIT)
        return lambda: p.cursor_page(rows, params=params, endpoint="bench")

    def keyset(token: str | None) -> Callable[[], Any]:
        params = p.KeysetParams.from_query({"after": token or "", "limit": LIMIT})
        return lambda: p.keyset_page(rows, params=params)

    cases = [
        ("offset", offset(1), offset(DEEP_PAGE)),
        ("cursor", by_cursor(None), by_cursor(cursor)),
        ("keyset", keyset(None), keyset(after)),
    ]
    first_deep = rows[deep_offset].pk
    for name, _page_1, page_deep in cases:
        if page_deep().results[0].pk != first_deep:
            raise SystemExit(f"{name}: page {DEEP_PAGE:,} does not start at row {deep_offset:,}")

    print(f"\nlimit {LIMIT}; page {DEEP_PAGE:,} = offset {deep_offset:,}; medians of {runs}")
    print(f"{'style':7} {'page':>7} {'call ms':>9} {'exec ms':>9} {'bufs':>7}  plan")
    ratios = {}
    for name, page_1, page_deep in cases:
        results = []
        for label, call in (("1", page_1), (f"{DEEP_PAGE:,}", page_deep)):
            wall, exec_ms, buffers, plan = measure(call, runs)
            results.append((wall, exec_ms, buffers))
            print(f"{name:7} {label:>7} {wall:9.2f} {exec_ms:9.3f} {buffers:7}  {plan}")
        ratios[name] = tuple(d / s for s, d in zip(results[0], results[1], strict=True))
    print(f"\nratio page {DEEP_PAGE:,} / page 1 (goal <= 1.5 for cursor and keyset):")
    for name, (wall, exec_ms, buffers) in ratios.items():
        print(f"  {name:7} call {wall:8.2f}x   exec {exec_ms:8.2f}x   buffers {buffers:8.2f}x")


def totals(runs: int) -> None:
    """The offset total as the module takes it (a bounded count, then the planner's
    estimate) against an exact count of the table."""
    from django.db import connection

    from apps.core import pagination as p
    from apps.notifications.models import Notification

    queries = {
        "exact count(*)": f"SELECT count(*) FROM {TABLE}",  # noqa: S608
        "bounded count": (
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} "  # noqa: S608
            f"LIMIT {p.EXACT_COUNT_UP_TO + 1}) s"
        ),
        "planner estimate": f"EXPLAIN (FORMAT JSON) SELECT * FROM {TABLE}",  # noqa: S608
    }
    print("\nthe offset total:")
    timings = {}
    with connection.cursor() as db:
        db.execute(queries["exact count(*)"])
        exact = db.fetchone()[0]
        for label, sql in queries.items():
            walls = []
            for _ in range(runs):
                start = time.perf_counter()
                db.execute(sql)
                db.fetchall()
                walls.append((time.perf_counter() - start) * 1000)
            timings[label] = statistics.median(walls)
            print(f"  {label:17} {timings[label]:9.2f} ms")
    estimate = p._planner_estimate(Notification.objects.all())  # noqa: SLF001
    module = timings["bounded count"] + timings["planner estimate"]
    print(
        f"  estimate {estimate:,} vs exact {exact:,} ({(estimate - exact) / exact:+.2%}); "
        f"the module's total costs {module:.2f} ms, "
        f"{module / timings['exact count(*)']:.3f}x an exact count"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    databases_reset(DB)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django_tenants.utils import schema_context

    from apps.tenants.services import tenant_create

    try:
        call_command("migrate_all", verbosity=0)
        tenant = tenant_create(name="Bench", slug="bench")
        with schema_context(tenant.schema_name):
            start = time.perf_counter()
            generate(args.rows)
            print(
                f"{args.rows:,} rows generated and indexed in {time.perf_counter() - start:.1f} s"
            )
            pages(args.runs)
            totals(args.runs)
    finally:
        connections.close_all()
        databases_drop(DB)


if __name__ == "__main__":
    main()
