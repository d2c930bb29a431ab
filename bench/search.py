"""What search costs, measured side by side with Elasticsearch alone: 100,000 products in
one company and 10 small companies, in one run.

A database of its own (kura_bench_search, dropped at the end), the benchmarks' Redis
databases (bench/servers.py) and an index prefix of its own (kura-bench-<random>, its
indices deleted at the end) keep `make run`, test runs and other indices out of it. One
company gets `--products` products generated in SQL (one INSERT … SELECT of names such as
「東京 ノートパソコン ブラック 123」 or "Pro Storage Box Navy 45" from a small Japanese and
English vocabulary, with two-level categories, brands, prices and stock); 10 small companies
get 200 each. Then:

(b) Indexing: one outbox entry per product of the big company, drained by
    `apps.search.sync.outbox_drain(batch=SEARCH_OUTBOX_BATCH)` until empty, as the drain task
    does (it reads the products from PostgreSQL and builds their documents: counted); then
    the index is made again (empty but for the small companies) and the same documents
    (`product_document` of the same products, same ids, routing and alias, the drain's
    chunk size, no refresh: as the drain writes) go through `elasticsearch.helpers.bulk`,
    built beforehand (not counted; their building time is shown). Documents/s of each and
    the ratio outbox / bulk (goal >= 0.8).
(a) Search: gunicorn serves the app with production settings (gthread, 2 workers x 4
    threads) and one keep-alive client signed in as a member (a JWT) sends `--requests`
    GET /api/search requests, going round `QUERIES` (Japanese, Latin, kana, typos, facets,
    sorts); interleaved with them (which goes first alternates), the very requests the
    query builder sends Elasticsearch for the same search (recorded in this process from
    `apps.search.query.product_search`), sent with one client of the app's settings
    (`es_client()`, kept alive). p50/p95 of each and the p95 ratio API / direct (goal
    <= 1.5). The totals of both are checked equal for each query.
(c) Freshness: a Celery worker (prefork, 2 processes, as the Procfile) and beat run; this
    process changes the price of a different product `--rate` times a second for
    `--seconds` through `apps.catalog.services.product_update` in the company's context, and
    a poller searches the index (routed, filtered on the products waiting) every few ms
    until each one's new price is found. Write-to-searchable is from the write's commit to
    the search that first finds it: p50/p95/max (goal p95 < 2 s), and none lost (all found
    within `GRACE` s of the last write).

The goals are figures to read: the exit status is 1 only when a change was lost. The
server's, worker's and beat's logs stay in .data/bench-logs/. `--products 5000` is a smoke
test.

    .venv/bin/python bench/search.py --products 100000 --requests 300
"""

import argparse
import json
import logging
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers
from bench.servers import LOGS, ROOT, Conn, call, stop

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
DB = "kura_bench_search"
servers.own_databases(DB)  # gunicorn, the worker and beat inherit it
PREFIX = f"kura-bench-{secrets.token_hex(4)}"
os.environ["ELASTICSEARCH_INDEX_PREFIX"] = PREFIX  # and this
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "KURA_JWT_SIGNING_KEY": secrets.token_urlsafe(32),
    "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_ALLOWED_HOSTS": "localhost,.localhost,127.0.0.1",
}
SLUG = "bench"
HOST = f"{SLUG}.localhost"
EMAIL = f"member@{SLUG}.example"
PASSWORD = secrets.token_urlsafe(16)
UNREACHABLE = 2_000_000_000  # requests a window: the plan never throttles the bench
SMALL_TENANTS, SMALL_PRODUCTS = 10, 200
SEED = 11
GRACE = 30.0  # seconds after the last write before a change counts as lost
POLL_SECONDS = 0.005
NEW_PRICE_BASE = 50_000_000  # above every generated price: a new price is unmistakable
GOAL_INDEXING, GOAL_SEARCH, GOAL_FRESH_MS = 0.8, 1.5, 2000.0
LOG = LOGS / "search-gunicorn.log"
WORKER = ["worker", "--concurrency=2", "--without-gossip", "--without-mingle"]
WORKER += ["--hostname=bench-search@%h", "--pool=prefork"]

# The vocabulary: (category path, item names), prefixes, colours and brands.
ITEMS: dict[tuple[str, str], list[str]] = {
    ("家電", "スマートフォン"): ["スマートフォン", "iPhone Case", "スマホケース", "iPhone 15 Pro"],
    ("家電", "パソコン"): ["ノートパソコン", "Laptop Stand", "USB-C ハブ"],
    ("家電", "オーディオ"): ["ワイヤレスイヤホン", "Bluetooth Speaker", "ヘッドホン"],
    ("生活", "収納"): ["収納ボックス", "Storage Box", "衣装ケース"],
    ("生活", "キッチン"): ["電気ケトル", "コーヒーメーカー", "Coffee Mug"],
    ("ファッション", "バッグ"): ["トートバッグ", "Backpack", "リュックサック"],
    ("文具", "ノート"): ["ノート", "Notebook", "ボールペン"],
}
PREFIXES = ["東京", "京都", "大阪", "北海道", "Pro", "Mini", "Slim", "Premium", "軽量", "防水"]
COLOURS = ["ブラック", "ホワイト", "レッド", "ブルー", "Black", "White", "Navy", "Green"]
BRANDS = ["Apple", "Sony", "Panasonic", "Muji", "Kokuyo", "Anker", "Sharp", "Zojirushi"]
BRANDS += ["Nitori", "Uniqlo", "Lenovo", "Samsung"]


@dataclass(frozen=True)
class Query:
    label: str
    params: dict[str, Any]


def queries(categories: dict[str, int], brands: dict[str, int]) -> list[Query]:
    """What people search for in this catalog (ids of the big company's categories and
    brands)."""
    return [
        Query("東京", {"q": "東京"}),
        Query("京都", {"q": "京都"}),
        Query("ノートパソコン", {"q": "ノートパソコン"}),
        Query("スマートフォン ブラック", {"q": "スマートフォン ブラック"}),
        Query("iPhone", {"q": "iPhone"}),
        Query("iphnoe (typo)", {"q": "iphnoe"}),
        Query("storage box", {"q": "storage box"}),
        Query("strage box (typo)", {"q": "strage box"}),
        Query("収納ボックス + category", {"q": "収納ボックス", "category": categories["収納"]}),
        Query("イヤホン + brand", {"q": "ワイヤレスイヤホン", "brand": brands["Sony"]}),
        Query("ケトル + price", {"q": "電気ケトル", "price_min": 1000, "price_max": 5000}),
        Query("Backpack Navy", {"q": "Backpack Navy"}),
        Query("とうきょう (kana)", {"q": "とうきょう"}),
        Query("家電, by price", {"category": categories["家電"], "sort": "price"}),
        Query("ノート, in stock", {"q": "ノート", "in_stock": "true"}),
        Query("防水 スピーカー", {"q": "防水 Speaker"}),
        Query("Pro, price desc", {"q": "Pro", "sort": "-price"}),
        Query("bluetooth speker (typo)", {"q": "bluetooth speker"}),
        Query("blank, newest", {"sort": "newest"}),
        Query(
            "コーヒーメーカー p3",
            {"q": "コーヒーメーカー", "brand": brands["Zojirushi"], "page": 3},
        ),
        Query("軽量 トートバッグ ホワイト", {"q": "軽量 トートバッグ ホワイト", "limit": 40}),
    ]


# --- data ------------------------------------------------------------------------------------


def generate(count: int) -> tuple[dict[str, int], dict[str, int]]:
    """`count` products in the current schema, in one INSERT … SELECT (with its categories
    and brands); the categories' and brands' ids by name."""
    from django.db import connection

    from apps.catalog.models import Brand, Category

    parents = {p: Category.objects.create(name=p) for p in dict.fromkeys(p for p, _ in ITEMS)}
    children = {c: Category.objects.create(name=c, parent=parents[p]) for p, c in ITEMS}
    brands = {b: Brand.objects.create(name=b).pk for b in BRANDS}
    names = [name for items in ITEMS.values() for name in items]
    item_category = [children[c].pk for (_p, c), items in ITEMS.items() for _ in items]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_product (name, description, category_id, brand_id, price,"
            " stock, sku, active, created_at, updated_at)"
            " SELECT p || ' ' || i || ' ' || c || ' ' || (g %% 500 + 1),"
            " p || 'の' || i || '。色は' || c || '、' || b || 'の定番モデルです。',"
            " cat, bid, 100 + (g * 7919) %% 300000 / 10 * 10, (g * 37) %% 41,"
            " 'SKU-' || g, true, ts, ts"
            " FROM (SELECT g,"
            "  (%(prefixes)s::text[])[1 + (g / %(n_items)s) %% %(n_prefixes)s] AS p,"
            "  (%(items)s::text[])[1 + g %% %(n_items)s] AS i,"
            "  (%(item_category)s::bigint[])[1 + g %% %(n_items)s] AS cat,"
            "  (%(colours)s::text[])[1 + (g * 7 / 3) %% %(n_colours)s] AS c,"
            "  (%(brands)s::text[])[1 + (g * 31 / 7) %% %(n_brands)s] AS b,"
            "  (%(brand_ids)s::bigint[])[1 + (g * 31 / 7) %% %(n_brands)s] AS bid,"
            "  timestamptz '2025-01-01' + g * interval '1 minute' AS ts"
            "  FROM generate_series(1, %(count)s) g) generated",
            {
                "prefixes": PREFIXES,
                "n_prefixes": len(PREFIXES),
                "items": names,
                "item_category": item_category,
                "n_items": len(names),
                "colours": COLOURS,
                "n_colours": len(COLOURS),
                "brands": list(brands),
                "brand_ids": list(brands.values()),
                "n_brands": len(brands),
                "count": count,
            },
        )
        cursor.execute("VACUUM ANALYZE catalog_product")
    ids = {name: c.pk for name, c in {**parents, **children}.items()}
    return ids, brands


def setup(count: int) -> tuple[Any, list[Any], dict[str, int], dict[str, int]]:
    """The big company on a plan it cannot reach, its member, the small companies, and
    their products; the big company, the small ones, and its category and brand ids."""
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from apps.accounts.models import Membership
    from apps.accounts.services import user_create
    from apps.tenants.models import Plan, Tenant
    from apps.tenants.services import tenant_create

    call_command("migrate_all", verbosity=0)
    plan = Plan.objects.create(
        name="bench-search", requests_per_minute=UNREACHABLE, tenant_requests_per_minute=UNREACHABLE
    )
    tenant = tenant_create(name="Bench", slug=SLUG)
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    user = user_create(email=EMAIL, password=PASSWORD, full_name="Member", validate=False)
    Membership.objects.create(user=user, tenant=tenant, role=Membership.Role.MEMBER)
    small = [tenant_create(name=f"Small {n}", slug=f"small{n}") for n in range(SMALL_TENANTS)]
    start = time.perf_counter()
    with schema_context(tenant.schema_name):
        categories, brands = generate(count)
    for other in small:
        with schema_context(other.schema_name):
            generate(SMALL_PRODUCTS)
    print(
        f"{count:,} products + {SMALL_TENANTS} x {SMALL_PRODUCTS} generated "
        f"in {time.perf_counter() - start:.1f} s; index prefix {PREFIX}"
    )
    return tenant, small, categories, brands


def outbox_fill(tenants: list[Any]) -> int:
    """One outbox entry per product of `tenants`, in one INSERT each (as the operator: no
    drain is queued; the drains here are called directly)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.catalog.models import Product

    total = 0
    for tenant in tenants:
        with schema_context(tenant.schema_name):
            ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_outboxentry (tenant_id, kind, object_id, created_at, attempts)"
                " SELECT %s, %s, id, now(), 0 FROM unnest(%s::bigint[]) id",
                [tenant.pk, "product", ids],
            )
            total += cursor.rowcount
    return total


def drain_all() -> int:
    from django.conf import settings

    from apps.search.sync import outbox_drain

    total = 0
    while drained := outbox_drain(batch=settings.SEARCH_OUTBOX_BATCH):
        total += drained
    return total


def index_fresh(small: list[Any]) -> None:
    """An empty index behind the shared alias (the old one deleted), then the small
    companies' documents in it."""
    from apps.core.search import es_client
    from apps.search.documents import products_alias
    from apps.search.index import index_create, indices_of

    es = es_client(request_timeout=120)
    for name in indices_of(products_alias()):
        es.indices.delete(index=name)
    index_create(alias=products_alias(), aliases=[products_alias()])
    outbox_fill(small)
    drain_all()


@dataclass
class Indexing:
    docs: int = 0
    outbox_s: float = 0.0
    read_s: float = 0.0  # of build_s: reading the products as the drain does
    build_s: float = 0.0
    bulk_s: float = 0.0


def indexing(tenant: Any, small: list[Any]) -> Indexing:
    """(b) The big company's products through the outbox, then the same documents through
    helpers.bulk into an index in the same state."""
    from django.conf import settings
    from django_tenants.utils import tenant_context
    from elasticsearch.helpers import bulk

    from apps.catalog.models import Product
    from apps.core.search import es_client
    from apps.search.documents import document_id, product_document, products_alias
    from apps.search.index import index_ensure
    from apps.search.sync import products_of

    result = Indexing()
    index_ensure()
    index_fresh(small)  # also warms Elasticsearch and this process up
    outbox_fill([tenant])
    start = time.perf_counter()
    result.docs = drain_all()
    result.outbox_s = time.perf_counter() - start

    index_fresh(small)
    start = time.perf_counter()
    with tenant_context(tenant):
        ids = list(Product.objects.filter(active=True).values_list("pk", flat=True))
    alias, routing = products_alias(), str(tenant.pk)
    batch = settings.SEARCH_OUTBOX_BATCH
    products = [
        p for at in range(0, len(ids), batch) for p in products_of(tenant, ids[at : at + batch])
    ]
    result.read_s = time.perf_counter() - start
    actions = [
        {
            "_index": alias,
            "_id": document_id(tenant_id=tenant.pk, product_id=product.pk),
            "_routing": routing,
            "_source": product_document(product, tenant_id=tenant.pk),
        }
        for product in products
    ]
    result.build_s = time.perf_counter() - start
    es = es_client(request_timeout=120)
    start = time.perf_counter()
    done, errors = bulk(es, actions, chunk_size=1000, raise_on_error=False)
    result.bulk_s = time.perf_counter() - start
    if done != result.docs or errors:
        raise SystemExit(f"bulk: {done} of {result.docs} indexed, errors: {errors!r:.300}")
    es.indices.refresh(index=alias)
    count = es.count(index=alias)["count"]
    if count != result.docs + SMALL_TENANTS * SMALL_PRODUCTS:
        raise SystemExit(f"the index holds {count} documents")
    return result


# --- (a) search ------------------------------------------------------------------------------


def recorded(tenant: Any, query: Query) -> list[dict[str, Any]]:
    """The requests `product_search` sends Elasticsearch for `query`, as the API would
    call it (the API's defaults filled in by its own serializer)."""
    from django_tenants.utils import tenant_context

    from apps.accounts.principal import SystemActor
    from apps.search import query as builder
    from apps.search.apis import SearchApi
    from apps.search.query import engine

    params = SearchApi.FilterSerializer(data={k: str(v) for k, v in query.params.items()})
    params.is_valid(raise_exception=True)
    data = params.validated_data
    sent: list[dict[str, Any]] = []
    # What the engine sends, the company's filter and routing included.
    original = engine._send  # noqa: SLF001

    def record(es: Any, request: dict[str, Any]) -> dict[str, Any]:
        sent.append(request)
        return original(es, request)

    engine._send = record  # noqa: SLF001
    try:
        with tenant_context(tenant):
            builder.product_search(
                actor=SystemActor(tenant, "benchmark"),
                q=data["q"],
                category=data.get("category"),
                brand=data.get("brand"),
                price_min=data.get("price_min"),
                price_max=data.get("price_max"),
                in_stock=data["in_stock"],
                sort=data["sort"],
                page=data["page"],
                size=data["limit"],
            )
    finally:
        engine._send = original  # noqa: SLF001
    return sent


class Sides:
    """The two ways a search is sent: GET /api/search on a kept-alive connection signed in
    as the member, and the builder's own requests straight to Elasticsearch with one client
    of the app's settings (`es_client()`), kept alive. Each returns the search's total."""

    def __init__(self, port: int, tenant: Any, cases: list[Query]) -> None:
        from apps.core.search import es_client

        self.bodies = {case.label: recorded(tenant, case) for case in cases}
        self.paths = {case.label: f"/api/search?{urlencode(case.params)}" for case in cases}
        self.es = es_client()
        self.conn = Conn("127.0.0.1", port, timeout=30)
        body = {"email": EMAIL, "password": PASSWORD}
        status, data = call(self.conn, "POST", "/auth/login", host=HOST, body=body)
        if status != 200:
            raise SystemExit(f"sign-in failed: {status} {data[:300]!r}")
        self.headers = {"Authorization": f"Bearer {json.loads(data)['access_token']}"}

    def api(self, label: str) -> int:
        path = self.paths[label]
        status, data = call(self.conn, "GET", path, host=HOST, headers=self.headers)
        if status != 200:
            raise SystemExit(f"GET {path}: {status} {data[:300]!r}")
        return json.loads(data)["total"]

    def direct(self, label: str) -> int:
        total = 0
        for request in self.bodies[label]:
            answer = self.es.search(ignore_unavailable=True, **request)
            total = total or answer["hits"]["total"]["value"]
        return total


def search_latency(
    port: int, tenant: Any, cases: list[Query], requests: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]], dict[str, int]]:
    """Times (ms) of `requests` API searches and as many direct ones, interleaved, going
    round `cases` (which side goes first alternates each round); overall and by query; and
    each query's total, checked the same both ways."""
    sides = Sides(port, tenant, cases)
    totals = {}
    for case in cases:  # warm-up
        for _ in range(3):
            via_api, via_es = sides.api(case.label), sides.direct(case.label)
        if via_api != via_es:
            raise SystemExit(f"{case.label}: the API found {via_api}, Elasticsearch {via_es}")
        totals[case.label] = via_api
    times: dict[str, list[float]] = {"API": [], "direct": []}
    by_query: dict[str, dict[str, list[float]]] = {
        c.label: {"API": [], "direct": []} for c in cases
    }
    order = [("API", sides.api), ("direct", sides.direct)]
    for i in range(requests):
        label = cases[i % len(cases)].label
        for side, send in order if (i // len(cases)) % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            send(label)
            elapsed = (time.perf_counter() - start) * 1000
            times[side].append(elapsed)
            by_query[label][side].append(elapsed)
    sides.conn.close()
    return times, by_query, totals


# --- (c) freshness ---------------------------------------------------------------------------


def celery(name: str, *argv: str) -> subprocess.Popen:
    with (LOGS / f"search-{name}.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *argv, "--loglevel=INFO"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the bench only, which stops them
        )


@contextmanager
def worker_and_beat() -> Iterator[None]:
    from config.celery import app

    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            procs.append(celery("worker", *WORKER))
            procs.append(
                celery("beat", "beat", f"--schedule={tmp}/schedule", f"--pidfile={tmp}/pid")
            )
            deadline = time.monotonic() + 30
            while not app.control.ping(timeout=0.5):
                if procs[0].poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the worker did not start; see {LOGS}/search-worker.log")
            yield
        finally:
            for proc in procs:
                stop(proc)


@dataclass
class Freshness:
    writes: int = 0
    span_s: float = 0.0
    write_ms: list[float] = field(default_factory=list)
    visible_ms: list[float] = field(default_factory=list)
    lost: int = 0


class Poller(threading.Thread):
    """Searches the index for the products written and not found yet, every POLL_SECONDS,
    until each one's new price is found (its time from commit to that search is noted) or,
    once the writes are over, GRACE seconds have passed (those left are lost)."""

    def __init__(self, tenant: Any, result: Freshness) -> None:
        super().__init__(daemon=True)
        self.tenant_id = str(tenant.pk)
        self.result = result
        self.pending: dict[int, tuple[int, float]] = {}  # product id -> (price, commit time)
        self.lock = threading.Lock()
        self.deadline: float | None = None

    def written(self, product_id: int, price: int, committed: float) -> None:
        with self.lock:
            self.pending[product_id] = (price, committed)

    def finish(self) -> None:
        self.deadline = time.perf_counter() + GRACE
        self.join()

    def run(self) -> None:
        from apps.core.search import es_client
        from apps.search.documents import products_alias

        es, alias = es_client(), products_alias()
        while True:
            with self.lock:
                waiting = dict(self.pending)
            if waiting:
                answer = es.search(
                    index=alias,
                    routing=self.tenant_id,
                    size=len(waiting),
                    query={
                        "bool": {
                            "filter": [
                                {"term": {"tenant": self.tenant_id}},
                                {"terms": {"product_id": list(waiting)}},
                            ]
                        }
                    },
                    source_includes=["product_id", "price"],
                )
                self.found(answer["hits"]["hits"], waiting, time.perf_counter())
            if self.deadline is not None and (not waiting or time.perf_counter() > self.deadline):
                self.result.lost = len(self.pending)
                return
            time.sleep(POLL_SECONDS)

    def found(
        self, hits: list[dict[str, Any]], waiting: dict[int, tuple[int, float]], now: float
    ) -> None:
        with self.lock:
            for hit in hits:
                product_id = hit["_source"]["product_id"]
                price, committed = waiting[product_id]
                if hit["_source"]["price"] == price and product_id in self.pending:
                    del self.pending[product_id]
                    self.result.visible_ms.append((now - committed) * 1000)


def freshness(tenant: Any, rate: float, seconds: float) -> Freshness:
    """(c) A new price for a different product `rate` times a second for `seconds`, through
    product_update in the company's context, each found by a search as soon as it can be."""
    from django_tenants.utils import tenant_context

    from apps.accounts.principal import SystemActor
    from apps.catalog.models import Product
    from apps.catalog.services import product_update

    count = int(rate * seconds)
    result = Freshness(writes=count)
    poller = Poller(tenant, result)
    poller.start()
    try:
        with tenant_context(tenant):
            ids = list(Product.objects.values_list("pk", flat=True))
            chosen = random.Random(SEED).sample(ids, count)
            products = Product.objects.in_bulk(chosen)
            began = time.perf_counter()
            for n, product_id in enumerate(chosen):
                pause = began + n / rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                price = NEW_PRICE_BASE + n
                start = time.perf_counter()
                product_update(
                    tenant=tenant,
                    actor=SystemActor(tenant, "benchmark"),
                    product=products[product_id],
                    changes={"price": price},
                )
                committed = time.perf_counter()
                result.write_ms.append((committed - start) * 1000)
                poller.written(product_id, price, committed)
            result.span_s = time.perf_counter() - began
    finally:
        poller.finish()
    return result


# --- report ----------------------------------------------------------------------------------


def cuts(values: list[float]) -> tuple[float, float]:
    """p50 and p95."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94]


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(
    args: argparse.Namespace,
    *,
    index: Indexing,
    times: dict[str, list[float]],
    by_query: dict[str, dict[str, list[float]]],
    totals: dict[str, int],
    fresh: Freshness,
) -> bool:
    """Print the figures; True if no change was lost."""
    from django.conf import settings

    outbox_rate, bulk_rate = index.docs / index.outbox_s, index.docs / index.bulk_s
    with_build = index.docs / (index.build_s + index.bulk_s)
    print(
        f"\n{args.products:,} products in one company + {SMALL_TENANTS} x {SMALL_PRODUCTS}; "
        f"{os.cpu_count()} CPUs; Elasticsearch shared, 1 shard"
    )
    print(
        f"(b) indexing {index.docs:,} documents: outbox drain (batches of "
        f"{settings.SEARCH_OUTBOX_BATCH}, "
        f"reads PostgreSQL, builds documents) {index.outbox_s:.1f} s; helpers.bulk of the "
        f"documents built beforehand {index.bulk_s:.1f} s (building them: {index.build_s:.1f} s, "
        f"of which reading the products {index.read_s:.1f} s;"
        f" bulk with building {with_build:,.0f} docs/s)"
    )
    print(f"(a) searches, ms, {args.requests} of each side interleaved; by query (p50):")
    print(f"  {'query':28} {'total':>7} {'API':>8} {'direct':>8} {'ratio':>6}")
    for label, sides in by_query.items():
        api_50, direct_50 = statistics.median(sides["API"]), statistics.median(sides["direct"])
        print(
            f"  {label:28} {totals[label]:7,} {api_50:8.2f} {direct_50:8.2f}"
            f" {api_50 / direct_50:6.2f}"
        )
    api_50, api_95 = cuts(times["API"])
    es_50, es_95 = cuts(times["direct"])
    visible_50, visible_95 = cuts(fresh.visible_ms) if len(fresh.visible_ms) > 1 else (0, 0)
    write_50, write_95 = cuts(fresh.write_ms)
    achieved = fresh.writes / fresh.span_s if fresh.span_s else 0.0
    print(
        f"(c) {fresh.writes} price changes through product_update in {fresh.span_s:.1f} s "
        f"({achieved:.1f}/s), worker (prefork x 2) and beat; the write itself p50 "
        f"{write_50:.1f} ms, p95 {write_95:.1f} ms; found by a search: {len(fresh.visible_ms)}"
    )
    search_ratio = api_95 / es_95
    index_ratio = outbox_rate / bulk_rate
    rows = [
        ("(a) GET /api/search, ms", f"p50 {api_50:.2f}, p95 {api_95:.2f}", "", ""),
        ("(a) same requests to ES, ms", f"p50 {es_50:.2f}, p95 {es_95:.2f}", "", ""),
        ("(a) p95 API / direct", f"{search_ratio:.2f}x", f"<= {GOAL_SEARCH}",
         met(search_ratio <= GOAL_SEARCH)),
        ("(a) p50 API / direct", f"{api_50 / es_50:.2f}x", "", ""),
        ("(b) outbox drain, docs/s", f"{outbox_rate:,.0f}", "", ""),
        ("(b) helpers.bulk, docs/s", f"{bulk_rate:,.0f}", "", ""),
        ("(b) outbox / bulk", f"{index_ratio:.2f}", f">= {GOAL_INDEXING}",
         met(index_ratio >= GOAL_INDEXING)),
        ("(b) outbox / (build + bulk)", f"{outbox_rate / with_build:.2f}", "", ""),
        (f"(c) write-to-searchable at {args.rate:g}/s, ms",
         f"p50 {visible_50:.0f}, p95 {visible_95:.0f}, max {max(fresh.visible_ms, default=0):.0f}",
         f"p95 < {GOAL_FRESH_MS:.0f}", met(visible_95 < GOAL_FRESH_MS)),
        ("(c) lost", f"{fresh.lost} of {fresh.writes}", "0", met(fresh.lost == 0)),
    ]  # fmt: skip
    print(f"\n{'figure':36} {'measured':38} {'goal':10} ")
    for name, value, goal, verdict in rows:
        print(f"{name:36} {value:38} {goal:10} {verdict}")
    return fresh.lost == 0  # the goals are figures to read; a lost change is a failure


def indices_drop() -> None:
    from apps.core.search import es_client

    es = es_client(request_timeout=60)
    for name in es.indices.get(index=f"{PREFIX}-*", expand_wildcards="all"):
        if name.startswith(f"{PREFIX}-"):
            es.indices.delete(index=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000, help="in the big company")
    parser.add_argument("--requests", type=int, default=300, help="searches of each side")
    parser.add_argument("--rate", type=float, default=50.0, help="writes a second, for (c)")
    parser.add_argument("--seconds", type=float, default=30.0, help="of writes, for (c)")
    args = parser.parse_args()
    if args.products < 1000 or args.requests < 2 or args.rate * args.seconds < 2:
        parser.error("needs --products of at least 1000, --requests 2 and 2 writes")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below cleans up

    servers.databases_reset(DB)
    LOGS.mkdir(parents=True, exist_ok=True)
    ok = False
    proc = None
    try:
        import django

        django.setup()
        logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # a line a request
        tenant, small, categories, brands = setup(args.products)
        index = indexing(tenant, small)
        print(f"(b) done: {index.docs:,} documents")
        port = servers.free_port()
        proc = servers.gunicorn(port, LOG, SERVER_ENV)
        cases = queries(categories, brands)
        times, by_query, totals = search_latency(port, tenant, cases, args.requests)
        stop(proc)
        proc = None
        print("(a) done")
        with worker_and_beat():
            fresh = freshness(tenant, args.rate, args.seconds)
        ok = report(args, index=index, times=times, by_query=by_query, totals=totals, fresh=fresh)
    finally:
        if proc is not None:
            stop(proc)
        from django.db import connections

        connections.close_all()
        servers.databases_drop(DB)
        indices_drop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
