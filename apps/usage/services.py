"""Writes of usage figures: request counters flushed from Redis (added, exactly once), and
snapshots of jobs run, storage and search documents (set, so running one twice is
harmless). Operators' work: it runs in the public schema, outside row-level security."""

import logging
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.principal import SystemActor
from apps.catalog.selectors import product_list
from apps.files.selectors import storage_by_tenant
from apps.jobs.selectors import jobs_run_by_tenant
from apps.search.errors import SearchUnavailableError
from apps.search.query import document_count
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import operator_context
from apps.tenants.selectors import tenant_active_list
from apps.usage import counting
from apps.usage.models import RequestBatch, UsageDay, usage_day

logger = logging.getLogger(__name__)

FIGURES = ("api_requests", "jobs_run", "storage_bytes", "search_documents")
# Batches are remembered this long: far longer than a stopped flush waits to be finished.
KEEP_BATCHES = timedelta(days=2)


def _upsert(*, column: str, values: dict[tuple[int, date], int], add: bool) -> None:
    """One statement for any number of (tenant id, day) rows: `column` set to the value, or
    increased by it (`add`). Rows of companies deleted meanwhile are dropped."""
    if not values or column not in FIGURES:
        return
    table = UsageDay._meta.db_table  # noqa: SLF001
    tenants = Tenant._meta.db_table  # noqa: SLF001
    inserted = ", ".join("v.n" if name == column else "0" for name in FIGURES)
    change = f"{table}.{column} + excluded.{column}" if add else f"excluded.{column}"
    keys = list(values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (tenant_id, day, {", ".join(FIGURES)}, updated_at)
            SELECT v.tenant_id, v.day, {inserted}, now()
            FROM unnest(%s::bigint[], %s::date[], %s::bigint[]) AS v(tenant_id, day, n)
            WHERE EXISTS (SELECT FROM {tenants} t WHERE t.id = v.tenant_id)
            ON CONFLICT (tenant_id, day)
            DO UPDATE SET {column} = {change}, updated_at = excluded.updated_at
            """,  # noqa: S608 - names from FIGURES and the models, values as parameters
            [[k[0] for k in keys], [k[1] for k in keys], list(values.values())],
        )


def usage_requests_flush() -> int:
    """Add the API requests counted in Redis to the days they were made; the number added.
    Safe to run twice, side by side, and after a flush that stopped anywhere
    (apps.usage.counting)."""
    with operator_context():
        return _flush()


def _flush() -> int:
    added = 0
    # A batch a stopped flush left first, then what was counted since.
    for _turn in range(2):
        batch = counting.batch_take()
        if batch is None:
            break
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {RequestBatch._meta.db_table} (id, flushed_at) "  # noqa: S608, SLF001
                    "VALUES (%s, now()) ON CONFLICT (id) DO NOTHING",
                    [batch.id],
                )
                new = cursor.rowcount == 1
            if new:
                _upsert(column="api_requests", values=batch.counts, add=True)
                added += sum(batch.counts.values())
        counting.batch_forget(batch.id)
    RequestBatch.objects.filter(flushed_at__lt=timezone.now() - KEEP_BATCHES).delete()
    return added


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def usage_jobs_count(*, day: date) -> None:
    """Set each company's jobs run on `day` from the jobs table (before its finished
    jobs are pruned)."""
    start, end = _day_bounds(day)
    counts = jobs_run_by_tenant(start=start, end=end)
    _upsert(column="jobs_run", values={(t, day): n for t, n in counts.items()}, add=False)


def _documents(tenant: Tenant) -> int:
    """The company's documents in Elasticsearch; its active products (what the index
    holds once the outbox is drained) while Elasticsearch does not answer."""
    try:
        return document_count(tenant_id=tenant.pk)
    except SearchUnavailableError:
        logger.warning("usage: search documents of %s counted from its products", tenant.pk)
        with schema_context(tenant.schema_name):
            system = SystemActor(tenant=tenant, reason="usage figures")
            return product_list(actor=system, active=True).count()


def usage_snapshot(*, tenant: Tenant, day: date) -> None:
    """Set the company's stored bytes (files stored and uploading, as the quota counts
    them) and its search documents on `day`."""
    usage = storage_by_tenant([tenant]).get(tenant.pk)
    documents = _documents(tenant)
    key = (tenant.pk, day)
    _upsert(column="storage_bytes", values={key: usage.bytes if usage else 0}, add=False)
    _upsert(column="search_documents", values={key: documents}, add=False)


def usage_snapshot_all() -> int:
    """Today's jobs run (and yesterday's, for jobs that ended late in the day), then every
    open company's storage and documents, one company at a time: one that fails is
    logged and the others go on. The number of companies done."""
    with operator_context():
        return _snapshot_all()


def _snapshot_all() -> int:
    today = usage_day()
    for day in (today - timedelta(days=1), today):
        usage_jobs_count(day=day)
    done = 0
    for tenant in tenant_active_list():
        try:
            usage_snapshot(tenant=tenant, day=today)
        except Exception:
            # Logged; the other companies go on.
            logger.exception("usage: snapshot of tenant %s failed", tenant.pk)
        else:
            done += 1
    return done
