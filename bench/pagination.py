"""What a page of the feed costs at depth: page 1 and page 10,000 (offset 199,980) of a
million published posts, limit 20, with offset, cursor and keyset pagination.

One tenant in a database of its own (kura_bench_pagination, dropped at the end) gets
1,000,000 published posts generated in SQL (one INSERT … SELECT into the migrated table,
so the migration's indexes are in place, then VACUUM ANALYZE). The pages are read with the
queries the feed API makes (GET /api/posts): `apps.posts.selectors.post_list` in the order
of `ORDERINGS`, paged by apps/core/pagination/ as `PostListApi.get` pages it. For each
style and page, in the same run:
  call   the module's function end to end (every query it makes, and Python), median of runs;
  exec   `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)` of its page query: execution time, median;
  bufs   shared buffers that query touched (hit + read), and its plan's top nodes;
and the ratio page 10,000 / page 1 (goal: at most 1.5 for keyset and cursor; offset is
expected to be far worse). Then what the offset total costs: the module's bounded count
plus the planner's estimate, against an exact `count(*)`.

Last, the API itself: gunicorn serves the app with production settings (gthread, 2 workers
x 4 threads, as in bench/load.py) on a free loopback port, and one client (a keep-alive
http.client connection, signed in as a member: a JWT) sends `--requests` GET
/api/posts?limit=20 (page 1, the cursor style being the default) and as many with the
cursor of page 10,000, interleaved; p50 and p95 of each (goal: depth's p95 under 2x page
1's). That cursor is the one page 9,999 hands out: signed in this process, in the tenant's
schema, for the list, ordering and filters the view binds (the server shares this run's
secret key); the first row of its page is checked, in process and over HTTP.

With fewer rows than page 10,000 needs (a smoke test: --rows 20000), the deep page is the
last page but one. The server's log stays in .data/bench-logs/.

    .venv/bin/python bench/pagination.py --rows 1000000 --runs 15 --requests 300
"""

import argparse
import json
import os
import secrets
import signal
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers
from bench.servers import LOGS, Conn, call, stop

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
DB = "kura_bench_pagination"
servers.own_databases(DB)  # gunicorn inherits it
# config.settings.production for the server, secrets drawn for the run (as bench/load.py
# does); this process signs the deep cursor with the same secret key.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "KURA_JWT_SIGNING_KEY": secrets.token_urlsafe(32),
    "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_ALLOWED_HOSTS": "localhost,.localhost,127.0.0.1",
}
os.environ["DJANGO_SECRET_KEY"] = SERVER_ENV["DJANGO_SECRET_KEY"]
SLUG = "bench"
HOST = f"{SLUG}.localhost"
EMAIL = f"member@{SLUG}.example"
PASSWORD = secrets.token_urlsafe(16)
UNREACHABLE = 2_000_000_000  # requests a window: the plan never throttles the bench
LIMIT = 20
DEEP_PAGE = 10_000
GOAL_PAGE = 1.5  # deep / page 1, cursor and keyset
GOAL_API = 2.0  # deep p95 / page 1 p95
LOG = LOGS / "pagination-gunicorn.log"


def generate(rows: int, author_id: int) -> None:
    """`rows` published posts in seconds: one INSERT … SELECT into the migrated table (its
    indexes in place), published a second apart and created a minute before, then the
    statistics the planner reads."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO posts_post (author_id, body, state, published_at, created_at, mentioned)"
            " SELECT %s, 'post ' || g, 'published',"
            " timestamptz '2025-01-01' + g * interval '1 second',"
            " timestamptz '2025-01-01' + g * interval '1 second' - interval '1 minute', '{}'"
            " FROM generate_series(1, %s) g",
            [author_id, rows],
        )
        cursor.execute("VACUUM ANALYZE posts_post")


def explain(sql: str) -> tuple[float, int, str]:
    """Execution time (ms), shared buffers hit + read, and the plan's top nodes (the first
    child of each, with its index and direction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # Without per-node timing, whose clock reads would add to the execution time of
        # a plan that goes through 200,000 rows (offset) and not to one that reads 20.
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
    result = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    plan = result["Plan"]
    nodes = []
    node = plan
    while node is not None:
        name = node["Node Type"]
        if node.get("Scan Direction") == "Backward":
            name += " Backward"
        if "Index Name" in node:
            name += f" ({node['Index Name']})"
        nodes.append(name)
        node = (node.get("Plans") or [None])[0]
    buffers = plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]
    return result["Execution Time"], buffers, " > ".join(nodes)


@dataclass(frozen=True)
class Cost:
    call_ms: float
    exec_ms: float
    buffers: int
    plan: str


def measure(page: Callable[[], Any], runs: int) -> Cost:
    """Median wall time of `page` (ms), and of its first query (the page's rows) under
    EXPLAIN, on a warm buffer pool."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page()
    with CaptureQueriesContext(connection) as queries:
        page()
    page_sql = queries.captured_queries[0]["sql"]
    walls, execs = [], []
    buffers, plan = 0, ""
    for _ in range(runs):
        start = time.perf_counter()
        page()
        walls.append((time.perf_counter() - start) * 1000)
        ms, buffers, plan = explain(page_sql)
        execs.append(ms)
    return Cost(statistics.median(walls), statistics.median(execs), buffers, plan)


def feed(member: Any) -> tuple[Any, Any, dict[str, Any]]:
    """The feed's queryset, ordering and filters, as `PostListApi.get` has them for
    `?limit=20` (the filters are what the view binds a cursor to)."""
    from apps.accounts.principal import Principal
    from apps.posts.apis import PostListApi
    from apps.posts.selectors import ORDERINGS, post_list

    filters = PostListApi.FilterSerializer(data={"limit": str(LIMIT)})
    filters.is_valid(raise_exception=True)
    state = filters.validated_data["state"]
    posts = post_list(actor=Principal.of_membership(member), state=state)
    return posts, ORDERINGS[state], dict(filters.validated_data)


def pages(member: Any, deep_page: int, runs: int) -> tuple[dict[str, tuple[Cost, Cost]], str]:
    """Page 1 and the deep page of each style, as the API pages them; and the cursor the
    page before the deep one hands out."""
    from apps.core import pagination as p
    from apps.core.pagination.cursor import CursorCodec

    posts, ordering, filters = feed(member)
    deep_offset = (deep_page - 1) * LIMIT
    before = posts[deep_offset - 1]  # the last row of the page before
    after = p.keyset_token(getattr(before, ordering.time_field), before.pk)
    # As cursor_page signs next_cursor on that page: the schema, the endpoint, the
    # ordering and the filters PostListApi.get passes.
    codec = CursorCodec(endpoint="posts_list", ordering=ordering.fields, filters=filters)
    cursor = codec.encode("next", [getattr(before, ordering.time_field), before.pk])

    def offset(page: int) -> Callable[[], Any]:
        return lambda: p.offset_page(posts, params=p.OffsetParams(page=page, limit=LIMIT))

    def by_cursor(token: str | None) -> Callable[[], Any]:
        params = p.CursorParams(cursor=token, limit=LIMIT)
        return lambda: p.cursor_page(
            posts, params=params, endpoint="posts_list", ordering=ordering.fields, filters=filters
        )

    def keyset(token: str | None) -> Callable[[], Any]:
        params = p.KeysetParams.from_query({"after": token or "", "limit": LIMIT})
        return lambda: p.keyset_page(
            posts, params=params, time_field=ordering.time_field, descending=ordering.descending
        )

    cases = {
        "offset": (offset(1), offset(deep_page)),
        "cursor": (by_cursor(None), by_cursor(cursor)),
        "keyset": (keyset(None), keyset(after)),
    }
    newest, first_deep = posts[0].pk, posts[deep_offset].pk
    for name, (page_1, page_deep) in cases.items():
        if page_1().results[0].pk != newest or page_deep().results[0].pk != first_deep:
            raise SystemExit(f"{name}: page {deep_page:,} does not start at row {deep_offset:,}")
    costs = {name: (measure(one, runs), measure(deep, runs)) for name, (one, deep) in cases.items()}
    return costs, cursor


def totals(member: Any, runs: int) -> dict[str, Any]:
    """The offset total as the module takes it (a count bounded by a LIMIT, then the
    planner's estimate) against an exact count, on the feed's queryset."""
    from apps.core import pagination as p
    from apps.core.pagination.offset import planner_estimate

    posts, _ordering, _filters = feed(member)
    queries: dict[str, Callable[[], int]] = {
        "exact": posts.order_by().count,
        "bounded": posts.order_by().values("pk")[: p.EXACT_COUNT_UP_TO + 1].count,
        "estimate": lambda: planner_estimate(posts),
    }
    figures: dict[str, Any] = {}
    for label, query in queries.items():
        walls = []
        for _ in range(runs):
            start = time.perf_counter()
            figures[f"{label}_rows"] = query()
            walls.append((time.perf_counter() - start) * 1000)
        figures[label] = statistics.median(walls)
    return figures


def api(port: int, cursor: str, expected: tuple[int, int], requests: int) -> dict[str, list[float]]:
    """Sign in, then time `requests` page-1 and deep-cursor requests, interleaved (which
    goes first alternates), after a warm-up of each; ms of each request."""
    conn = Conn("127.0.0.1", port, timeout=30)
    status, data = call(
        conn, "POST", "/auth/login", host=HOST, body={"email": EMAIL, "password": PASSWORD}
    )
    if status != 200:
        raise SystemExit(f"sign-in failed: {status} {data[:300]!r}")
    headers = {"Authorization": f"Bearer {json.loads(data)['access_token']}"}
    paths = {
        "page 1": f"/api/posts?limit={LIMIT}",
        "deep": f"/api/posts?limit={LIMIT}&cursor={cursor}",
    }
    for (label, path), first_id in zip(paths.items(), expected, strict=True):
        for _ in range(10):  # warm-up: both workers' connections and caches
            status, data = call(conn, "GET", path, host=HOST, headers=headers)
        results = json.loads(data)["results"] if status == 200 else []
        if len(results) != LIMIT or results[0]["id"] != first_id:
            raise SystemExit(
                f"GET {label}: {status}, not {LIMIT} rows from {first_id}: {data[:300]!r}"
            )
    times: dict[str, list[float]] = {label: [] for label in paths}
    order = list(paths.items())
    for i in range(requests):
        for label, path in order if i % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            status, data = call(conn, "GET", path, host=HOST, headers=headers)
            times[label].append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise SystemExit(f"GET {label}: {status} {data[:300]!r}")
    conn.close()
    return times


def setup(rows: int) -> Any:
    """The tenant on a plan it cannot reach, its member (the posts' author and the API's
    reader), and the posts; returns the member's membership."""
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from apps.accounts.models import Membership
    from apps.accounts.services import user_create
    from apps.tenants.models import Plan, Tenant
    from apps.tenants.services import tenant_create

    call_command("migrate_all", verbosity=0)
    plan = Plan.objects.create(
        name="bench-pagination",
        requests_per_minute=UNREACHABLE,
        tenant_requests_per_minute=UNREACHABLE,
    )
    tenant = tenant_create(name="Bench", slug=SLUG)
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    user = user_create(email=EMAIL, password=PASSWORD, full_name="Member", validate=False)
    member = Membership.objects.create(user=user, tenant=tenant, role=Membership.Role.MEMBER)
    with schema_context(tenant.schema_name):
        start = time.perf_counter()
        generate(rows, user.pk)
        print(
            f"{rows:,} posts generated, vacuumed and analyzed "
            f"in {time.perf_counter() - start:.1f} s"
        )
    return member


def cuts(values: list[float]) -> tuple[float, float]:
    """p50 and p95."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94]


def report(
    args: argparse.Namespace,
    *,
    deep_page: int,
    costs: dict[str, tuple[Cost, Cost]],
    total: dict[str, Any],
    times: dict[str, list[float]],
    expected: tuple[int, int],
) -> None:
    deep = f"page {deep_page:,}"
    print(
        f"\n{args.rows:,} published posts, one tenant; limit {LIMIT}; {deep} = offset "
        f"{(deep_page - 1) * LIMIT:,}; medians of {args.runs} runs; {os.cpu_count()} CPUs"
    )
    print(
        f"checked: page 1 starts at post {expected[0]} and {deep} at post {expected[1]} "
        "in every style, in process and over HTTP"
    )
    print(f"{'style':7} {'measure':16} {'page 1':>10} {deep:>12} {'ratio':>9}  goal")
    for name, (one, far) in costs.items():
        for label, attr, fmt in (
            ("call, ms", "call_ms", ".2f"),
            ("exec, ms", "exec_ms", ".3f"),
            ("shared buffers", "buffers", "d"),
        ):
            a, b = getattr(one, attr), getattr(far, attr)
            ratio = b / a
            goal = "(none: expected far worse)"
            if name != "offset":
                goal = f"<= {GOAL_PAGE}: {'met' if ratio <= GOAL_PAGE else 'NOT met'}"
            print(f"{name:7} {label:16} {a:10{fmt}} {b:12{fmt}} {ratio:8.2f}x  {goal}")
    print("plans of the page query (top nodes):")
    for name, (one, far) in costs.items():
        print(f"  {name:7} {'page 1':11} {one.plan}")
        print(f"  {name:7} {deep:11} {far.plan}")
    module = total["bounded"] + total["estimate"]
    print(
        f"offset total: exact count(*) {total['exact']:.2f} ms ({total['exact_rows']:,}); the "
        f"module's bounded count ({total['bounded_rows']:,}) {total['bounded']:.2f} ms + planner "
        f"estimate ({total['estimate_rows']:,}, "
        f"{(total['estimate_rows'] - total['exact_rows']) / total['exact_rows']:+.2%}) "
        f"{total['estimate']:.2f} ms = {module:.2f} ms, {module / total['exact']:.3f}x exact"
    )
    (p50_1, p95_1), (p50_d, p95_d) = cuts(times["page 1"]), cuts(times["deep"])
    ratio = p95_d / p95_1
    print(
        f"API GET /api/posts?limit={LIMIT} (cursor), gunicorn production settings, one "
        f"keep-alive client with a JWT, {args.requests} of each interleaved:"
    )
    print(f"  {'':12} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"  {'page 1':12} {p50_1:8.2f} {p95_1:8.2f}")
    print(f"  {deep:12} {p50_d:8.2f} {p95_d:8.2f}")
    print(
        f"  p95 {deep} / page 1: {ratio:.2f}x (goal < {GOAL_API}: "
        f"{'met' if ratio < GOAL_API else 'NOT met'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="published posts")
    parser.add_argument("--runs", type=int, default=15, help="runs a measure takes the median of")
    parser.add_argument("--requests", type=int, default=300, help="API requests of each page")
    parser.add_argument("--page", type=int, default=DEEP_PAGE, help="the deep page")
    args = parser.parse_args()
    if args.rows < 3 * LIMIT or args.runs < 1 or args.requests < 2:
        parser.error(f"needs --rows of at least {3 * LIMIT}, --runs 1 and --requests 2")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below cleans up
    # The page before the last, when there are too few rows for --page.
    deep_page = max(2, min(args.page, args.rows // LIMIT - 1))

    servers.databases_reset(DB)
    proc = None
    try:
        import django

        django.setup()
        from django_tenants.utils import schema_context

        member = setup(args.rows)
        with schema_context(member.tenant.schema_name):
            costs, cursor = pages(member, deep_page, args.runs)
            total = totals(member, args.runs)
            posts, _ordering, _filters = feed(member)
            expected = (posts[0].pk, posts[(deep_page - 1) * LIMIT].pk)
        LOGS.mkdir(parents=True, exist_ok=True)
        port = servers.free_port()
        proc = servers.gunicorn(port, LOG, SERVER_ENV)
        times = api(port, cursor, expected, args.requests)
        stop(proc)
        proc = None
        report(args, deep_page=deep_page, costs=costs, total=total, times=times, expected=expected)
    finally:
        if proc is not None:
            stop(proc)
        from django.db import connections

        connections.close_all()
        servers.databases_drop(DB)


if __name__ == "__main__":
    main()
