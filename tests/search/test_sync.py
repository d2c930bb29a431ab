"""The outbox carried into Elasticsearch: the drain, its failures, its parallel runs, the real
worker and beat, a reindex and moves between indices made while writes keep coming. Real
PostgreSQL, Redis and Elasticsearch (with Kura's plugin) throughout."""

import inspect
import io
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context
from elasticsearch import Elasticsearch

from apps.accounts.models import User
from apps.accounts.principal import SystemActor
from apps.catalog.imports import products_import
from apps.catalog.models import Product
from apps.catalog.services import product_create, product_delete, product_update
from apps.search.documents import document_id, products_alias
from apps.search.index import (
    dedicated_alias,
    index_create,
    index_ensure,
    index_for,
    index_for_uncached,
    indices_of,
)
from apps.search.models import DedicatedIndex, IndexMirror, OutboxEntry
from apps.search.query import product_search
from apps.search.selectors import outbox_lag
from apps.search.services import (
    drain_queued_claim,
    drain_queued_clear,
    outbox_add,
    outbox_drain_soon,
)
from apps.search.sync import outbox_drain
from apps.tenants.models import Tenant
from tests import processes
from tests.catalog.factories import ProductFactory
from tests.conftest import operator_login
from tests.search.factories import IndexMirrorFactory, OutboxEntryFactory

CLOSED_PORT = 9  # nothing listens there


def create(tenant: Tenant, sku: str, name: str, price: int, **fields: Any) -> Product:
    with tenant_context(tenant):
        return product_create(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            fields={"name": name, "sku": sku, "price": price, **fields},
        )


def update(tenant: Tenant, sku: str, **changes: Any) -> None:
    with tenant_context(tenant):
        product = Product.objects.get(sku=sku)
        product_update(
            tenant=tenant, actor=SystemActor(tenant, "tests"), product=product, changes=changes
        )


def delete(tenant: Tenant, sku: str) -> None:
    with tenant_context(tenant):
        product_delete(
            tenant=tenant, actor=SystemActor(tenant, "tests"), product=Product.objects.get(sku=sku)
        )


def drain_all() -> int:
    drained = 0
    while OutboxEntry.objects.exists():
        drained += outbox_drain()
    return drained


def indexed(es: Elasticsearch, tenant: Tenant, *, alias: str | None = None) -> dict[str, Any]:
    """The company's documents as a search filtered on it finds them: sku -> (name, price)."""
    alias = alias or index_for_uncached(tenant.pk)
    es.indices.refresh(index=alias)
    hits = es.search(
        index=alias,
        routing=str(tenant.pk),
        query={"term": {"tenant": str(tenant.pk)}},
        size=1000,
    )["hits"]["hits"]
    return {h["_source"]["sku"]: (h["_source"]["name"], h["_source"]["price"]) for h in hits}


def in_postgres(tenant: Tenant) -> dict[str, Any]:
    with schema_context(tenant.schema_name):
        return {p.sku: (p.name, p.price) for p in Product.objects.filter(active=True)}


# --- the drain -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_a_product_is_searchable_after_the_drain_and_the_outbox_is_emptied(tenant, es):
    product = create(tenant, "SKU-1", "東京タワーの模型", 4800, stock=3)

    assert outbox_drain() == 1

    assert indexed(es, tenant) == {"SKU-1": ("東京タワーの模型", 4800)}
    doc = es.get(
        index=products_alias(),
        id=document_id(tenant_id=tenant.pk, product_id=product.pk),
        routing=str(tenant.pk),
    )
    assert doc["_routing"] == str(tenant.pk)
    assert doc["_source"]["tenant"] == str(tenant.pk)
    assert doc["_source"]["in_stock"] is True
    assert OutboxEntry.objects.count() == 0
    assert outbox_drain() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_an_update_changes_the_document_and_inactive_or_deleted_products_leave(tenant, es):
    create(tenant, "KEEP", "iPhone 15 Pro", 159800)
    create(tenant, "HIDE", "住んでいる街の地図", 1200)
    create(tenant, "GONE", "京都の茶碗", 3000)
    assert outbox_drain() == 3

    update(tenant, "KEEP", name="iPhone 15 Pro Max", price=189800)
    update(tenant, "HIDE", active=False)
    delete(tenant, "GONE")
    assert outbox_drain() == 3

    assert indexed(es, tenant) == {"KEEP": ("iPhone 15 Pro Max", 189800)}

    update(tenant, "HIDE", active=True)
    assert outbox_drain() == 1
    assert indexed(es, tenant) == {
        "KEEP": ("iPhone 15 Pro Max", 189800),
        "HIDE": ("住んでいる街の地図", 1200),
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_two_companies_products_with_the_same_id_do_not_collide(tenant, other_tenant, es):
    for company, name in ((tenant, "Alpha の商品"), (other_tenant, "Beta product")):
        with tenant_context(company):
            ProductFactory(pk=987_654, name=name, sku="SAME", price=100)
            outbox_add(tenant=company, kind="product", object_ids=[987_654])

    assert outbox_drain() == 2

    assert indexed(es, tenant) == {"SAME": ("Alpha の商品", 100)}
    assert indexed(es, other_tenant) == {"SAME": ("Beta product", 100)}


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_with_elasticsearch_unreachable_entries_stay_and_count_their_attempts(tenant, es, settings):
    index_ensure()
    reachable = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{CLOSED_PORT}"
    create(tenant, "A", "ノートパソコン", 98000)
    create(tenant, "B", "マウス", 2500)

    assert outbox_drain() == 0
    assert outbox_drain() == 0
    assert list(OutboxEntry.objects.values_list("attempts", flat=True)) == [2, 2]

    settings.ELASTICSEARCH_URL = reachable
    assert outbox_drain() == 2
    assert indexed(es, tenant) == {"A": ("ノートパソコン", 98000), "B": ("マウス", 2500)}
    assert OutboxEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_index_ensure_makes_one_index_behind_the_alias_once(es):
    alias = products_alias()
    assert index_ensure() == alias
    first = indices_of(alias)
    assert index_ensure() == alias
    assert indices_of(alias) == first
    assert len(first) == 1
    assert first[0].startswith(f"{alias}-")
    mapping = es.indices.get_mapping(index=alias)[first[0]]["mappings"]
    assert mapping["properties"]["name"]["analyzer"] == "kura_ja"


@pytest.mark.django_db
def test_a_transaction_queues_one_drain_on_commit(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        create(tenant, "ONE", "一つ目", 100)
        create(tenant, "TWO", "二つ目", 200)
    assert [inspect.unwrap(callback) for callback in callbacks].count(outbox_drain_soon) == 1


@pytest.mark.django_db
def test_outbox_lag_counts_every_company_and_ages_the_oldest(tenant, other_tenant, client):
    assert outbox_lag() == {"waiting": 0, "oldest_seconds": None}
    create(tenant, "OLD", "古い", 100)
    create(other_tenant, "NEW", "新しい", 100)
    with schema_context(tenant.schema_name):
        old = Product.objects.get(sku="OLD").pk
    OutboxEntry.objects.filter(tenant=tenant, object_id=old).update(
        created_at=timezone.now() - timedelta(seconds=90)
    )

    lag = outbox_lag()
    assert lag["waiting"] == 2
    assert 90 <= lag["oldest_seconds"] < 95

    body = client.get("/readyz", HTTP_HOST="localhost").json()
    assert body["backlogs"]["search_outbox"]["waiting"] == 2


# --- committed: other processes, threads, a restart -----------------------------------------


@pytest.mark.usefixtures("committed_catalog", "celery_worker_process", "celery_beat_process")
def test_with_the_worker_a_write_is_searchable_within_two_seconds(tenant, es):
    index_ensure()
    started = time.monotonic()
    create(tenant, "FAST", "すぐ見つかる商品", 1500)
    found: list[dict[str, Any]] = []
    while not found and time.monotonic() - started < 10:
        found = es.search(index=products_alias(), query={"term": {"sku": "FAST"}})["hits"]["hits"]
        time.sleep(0.05)
    elapsed = time.monotonic() - started

    assert [hit["_source"]["name"] for hit in found] == ["すぐ見つかる商品"]
    assert elapsed < 2.0
    assert OutboxEntry.objects.count() == 0


@pytest.mark.usefixtures("committed_catalog", "celery_worker_process", "celery_beat_process")
def test_beat_drains_entries_no_commit_announced(tenant, es):
    """Entries whose on-commit drain never came (a broker that was down) are beat's."""
    index_ensure()
    with schema_context(tenant.schema_name):
        product = ProductFactory(name="ビートが運ぶ", sku="BEAT", price=700)
    OutboxEntryFactory(tenant=tenant, object_id=product.pk)
    # A bound, not a speed claim: beat's first tick waits for its process to start, which
    # took 13 s on two loaded cores (four workers beside it).
    deadline = time.monotonic() + 60
    while OutboxEntry.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert indexed(es, tenant) == {"BEAT": ("ビートが運ぶ", 700)}


def es_service(verb: str) -> None:
    """The service script, in a session of its own: the node it starts must outlive this
    test run's process group (a runner that ends the group would take the node with it)."""
    script = processes.ROOT / "scripts" / "services" / "elasticsearch.sh"
    subprocess.run(
        [str(script), verb], check=True, timeout=240, capture_output=True, start_new_session=True
    )


@pytest.mark.serial  # Elasticsearch is every worker's
@pytest.mark.usefixtures("committed_catalog")
def test_the_outbox_catches_up_after_elasticsearch_is_stopped_and_restarted(tenant, es):
    """Elasticsearch is shared with other test runs: it is down for seconds only, and always
    brought back."""
    index_ensure()
    create(tenant, "BEFORE", "停止前", 100)
    drain_all()
    try:
        es_service("down")
        # Writes succeed while the index is unreachable; the drain keeps their entries.
        create(tenant, "DURING-1", "停止中の商品", 200)
        create(tenant, "DURING-2", "もう一つ", 300)
        update(tenant, "BEFORE", price=150)
        # Tried and kept: by this drain, or by the session's worker draining on commit
        # (whichever claimed the entries first; the other skips them).
        deadline = time.monotonic() + 15
        while min(OutboxEntry.objects.values_list("attempts", flat=True)) < 1:
            assert outbox_drain() == 0
            assert time.monotonic() < deadline, "no drain tried the entries"
            time.sleep(0.1)
        assert outbox_lag()["waiting"] == 3
    finally:
        es_service("up")

    drain_all()
    assert indexed(es, tenant) == {
        "BEFORE": ("停止前", 150),
        "DURING-1": ("停止中の商品", 200),
        "DURING-2": ("もう一つ", 300),
    }


@pytest.mark.usefixtures("committed_catalog")
def test_two_drains_side_by_side_never_take_the_same_entry(tenants, es):
    index_ensure()
    for company in tenants:
        with schema_context(company.schema_name):
            made = Product.objects.bulk_create(
                Product(name=f"商品 {i}", sku=f"P{i:03}", price=100 + i) for i in range(100)
            )
        OutboxEntry.objects.bulk_create(
            OutboxEntry(tenant=company, kind="product", object_id=p.pk) for p in made
        )
    start = threading.Barrier(2)
    counts: list[int] = []

    def drain() -> None:
        try:
            start.wait()
            counts.append(drain_all())
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) <= 200
    assert OutboxEntry.objects.count() == 0
    for company in tenants:
        es.indices.refresh(index=products_alias())
        hits = es.search(
            index=products_alias(),
            query={"term": {"tenant": str(company.pk)}},
            size=200,
            version=True,
        )["hits"]["hits"]
        assert len(hits) == 100
        # Indexed once each: a second claim of an entry would have written a version 2.
        assert {hit["_version"] for hit in hits} == {1}


@pytest.mark.slow
@pytest.mark.usefixtures("committed_catalog")
def test_no_write_is_lost_while_search_reindex_runs(tenants, es):
    alpha, beta = tenants
    alias = products_alias()
    index_ensure()
    before = indices_of(alias)
    with transaction.atomic():
        for i in range(150):
            create(alpha, f"A{i:03}", f"アルファ商品 {i}", 1000 + i)
        for i in range(40):
            create(beta, f"B{i:03}", f"Beta item {i}", 2000 + i)
    drain_all()
    errors: list[BaseException] = []
    output = io.StringIO()

    def reindex() -> None:
        try:
            call_command("search_reindex", chunk=5, stdout=output)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=reindex)
    thread.start()
    rounds, during_copy = 0, 0
    while thread.is_alive():
        during_copy += IndexMirror.objects.exists()
        create(alpha, f"NEW-A{rounds}", f"追加 {rounds}", 500 + rounds)
        create(beta, f"NEW-B{rounds}", f"added {rounds}", 600 + rounds)
        if rounds < 40:  # while there are products left to change (a slow reindex runs on)
            update(alpha, f"A{rounds:03}", price=9000 + rounds, name=f"改名 {rounds}")
            update(beta, f"B{rounds:03}", active=False)
            delete(alpha, f"A{149 - rounds:03}")
        outbox_drain()
        rounds += 1
    thread.join()

    assert errors == []
    assert during_copy >= 2, "the writes must overlap the copy"
    drain_all()
    for company in tenants:
        assert indexed(es, company) == in_postgres(company)
    assert len(in_postgres(alpha)) == 150 + rounds - min(rounds, 40)
    after = indices_of(alias)
    assert len(after) == 1
    assert after != before
    assert not es.indices.exists(index=before[0])
    assert not es.indices.exists_alias(name=f"{alias}-building")
    assert IndexMirror.objects.count() == 0
    lines = output.getvalue().splitlines()
    companies = [line.split(":")[0] for line in lines[:-1]]
    assert companies.index(alpha.slug) < companies.index(beta.slug)
    assert lines[-1].startswith(f"{alias} -> {after[0]} (outbox entries written meanwhile: ")


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_search_reindex_of_one_company_rewrites_it_in_place(tenant, other_tenant, es):
    create(tenant, "STAYS", "残る", 100)
    create(tenant, "SILENTLY-GONE", "消えた", 200)
    create(other_tenant, "OTHER", "他社", 300)
    assert outbox_drain() == 3
    with schema_context(tenant.schema_name):
        # Changed behind the outbox's back (a manual fix in the database, say).
        Product.objects.filter(sku="SILENTLY-GONE").delete()
        Product.objects.filter(sku="STAYS").update(price=111)
    output = io.StringIO()

    call_command("search_reindex", tenant=tenant.slug, stdout=output)

    assert output.getvalue() == f"{tenant.slug}: 1 products written, 1 removed\n"
    assert indexed(es, tenant) == {"STAYS": ("残る", 111)}
    assert indexed(es, other_tenant) == {"OTHER": ("他社", 300)}


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_a_company_moves_to_a_dedicated_index_and_back(tenant, other_tenant, es, settings):
    settings.SEARCH_INDEX_CACHE_SECONDS = 0
    shared = products_alias()
    create(tenant, "MINE", "自社の商品", 100)
    create(other_tenant, "THEIRS", "他社の商品", 200)
    assert outbox_drain() == 2
    own = dedicated_alias(tenant)

    call_command("search_move_tenant", tenant.slug, "--dedicated", stdout=io.StringIO())

    assert own == f"{shared}-t-{tenant.schema_name}"
    assert index_for(tenant.pk) == own
    assert index_for(other_tenant.pk) == shared
    with tenant_context(tenant):  # as the query builder asks, under row-level security
        assert index_for_uncached(tenant.pk) == own
    assert list(DedicatedIndex.objects.values_list("tenant_id", "alias")) == [(tenant.pk, own)]
    assert indexed(es, tenant, alias=own) == {"MINE": ("自社の商品", 100)}
    assert indexed(es, tenant, alias=shared) == {}
    assert indexed(es, other_tenant, alias=shared) == {"THEIRS": ("他社の商品", 200)}

    create(tenant, "LATER", "移動後の商品", 300)
    assert outbox_drain() == 1
    assert indexed(es, tenant, alias=own) == {
        "MINE": ("自社の商品", 100),
        "LATER": ("移動後の商品", 300),
    }

    call_command("search_move_tenant", tenant.slug, "--shared", stdout=io.StringIO())

    assert index_for(tenant.pk) == shared
    assert DedicatedIndex.objects.count() == 0
    assert not es.indices.exists_alias(name=own)
    assert indexed(es, tenant, alias=shared) == {
        "MINE": ("自社の商品", 100),
        "LATER": ("移動後の商品", 300),
    }
    assert IndexMirror.objects.count() == 0


# --- a catalog write never fails because of search ------------------------------------------

WRITE_WITH_SEARCH_DOWN = """
import django; django.setup()
from django_tenants.utils import tenant_context
from apps.accounts.principal import SystemActor
from apps.catalog.services import product_create
from apps.tenants.models import Tenant
tenant = Tenant.objects.get(slug="test-alpha")
with tenant_context(tenant):
    product = product_create(tenant=tenant, actor=SystemActor(tenant, "tests"),
                             fields={"name": "書き込める", "sku": "NO-BROKER", "price": 10})
print(product.pk)
"""


@pytest.mark.slow
@pytest.mark.usefixtures("committed_catalog")
def test_a_catalog_write_succeeds_with_broker_and_elasticsearch_unreachable(tenant, celery_env):
    env = {
        **celery_env,
        "TEST_CELERY_BROKER_URL": f"redis://127.0.0.1:{CLOSED_PORT}/0",
        "ELASTICSEARCH_URL": f"http://127.0.0.1:{CLOSED_PORT}",
    }
    result = subprocess.run(
        [sys.executable, "-c", WRITE_WITH_SEARCH_DOWN],
        cwd=processes.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    product_id = int(result.stdout.split()[-1])
    assert "could not queue a search outbox drain" in result.stderr
    with schema_context(tenant.schema_name):
        assert Product.objects.get(pk=product_id).sku == "NO-BROKER"


# --- operators ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_operators_see_what_waits_in_the_outbox(tenant):
    operator = User.objects.create_superuser("ops-search@kura.example", "ops-password-123")
    client = Client(HTTP_HOST="localhost")
    operator_login(client, operator)
    product = create(tenant, "STUCK", "届かない", 100)
    OutboxEntry.objects.update(attempts=7, created_at=timezone.now() - timedelta(seconds=300))

    page = client.get("/admin/search/outboxentry/").content.decode()

    assert f'<td class="field-object_id">{product.pk}</td>' in page
    assert '<td class="field-attempts">7</td>' in page
    assert re.search(r'<td class="field-age">30[01] s</td>', page)
    assert tenant.name in page
    assert client.get("/admin/search/outboxentry/add/").status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_a_reindex_clears_what_a_reindex_that_died_left(tenant, es):
    alias = products_alias()
    create(tenant, "SURVIVOR", "生き残り", 100)
    assert outbox_drain() == 1
    # A reindex killed mid-way: its half-built index and its mirror are still there.
    dead = index_create(alias=alias, aliases=[f"{alias}-building"])
    IndexMirrorFactory(source=alias, target=f"{alias}-building")

    call_command("search_reindex", stdout=io.StringIO())

    assert IndexMirror.objects.count() == 0
    assert not es.indices.exists(index=dead)
    assert not es.indices.exists_alias(name=f"{alias}-building")
    assert indexed(es, tenant) == {"SURVIVOR": ("生き残り", 100)}
    create(tenant, "AFTER", "その後", 200)
    assert outbox_drain() == 1
    assert indexed(es, tenant) == {"SURVIVOR": ("生き残り", 100), "AFTER": ("その後", 200)}


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_indices")
def test_a_bulk_import_is_indexed_and_found_by_the_query_builder(tenant, other_tenant, es):
    rows = "\n".join(f"IMP-{n},収納ボックス {n},{1000 + n},収納" for n in range(1500))
    data = f"sku,name,price,category\n{rows}\n".encode("cp932")
    with tenant_context(tenant):
        result = products_import(
            tenant=tenant, actor=SystemActor(tenant, "tests"), file=io.BytesIO(data)
        )
    assert (result.created, result.updated) == (1500, 0)
    assert drain_all() == 1500
    assert len(indexed(es, tenant)) == 1000  # `indexed` reads one page of 1,000
    found = product_search(actor=SystemActor(tenant, "tests"), q="収納ボックス", size=5)
    assert (found.total, found.total_is_estimate) == (1500, False)
    assert [c.count for c in found.categories] == [1500]
    assert product_search(actor=SystemActor(other_tenant, "tests"), q="収納ボックス").total == 0


@pytest.mark.django_db
def test_a_drain_is_asked_for_again_once_the_waiting_one_started(tenant):
    """The mark "a drain is waiting" is one for the deployment: a change in a company sets
    it, the drain task (in public) clears it. It once lived under the cache's schema-bound
    keys, so the task cleared another key and changes waited for beat's sweep."""

    drain_queued_clear()
    with tenant_context(tenant):
        assert drain_queued_claim() is True
        assert drain_queued_claim() is False
    connection.set_schema_to_public()
    drain_queued_clear()  # as outbox_drain_task does when it starts
    with tenant_context(tenant):
        assert drain_queued_claim() is True
    drain_queued_clear()
