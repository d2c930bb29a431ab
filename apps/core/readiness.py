"""Readiness: does every service Kura depends on answer, within a short timeout?

The checks run side by side, so a probe takes as long as the slowest check (bounded by
CHECK_TIMEOUT), not their sum. Beside them, each app that queues asynchronous work reports
its backlog, registered in its AppConfig.ready() (`backlog_register`).
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from http import HTTPStatus

from botocore.exceptions import ClientError
from django.conf import settings
from django.db import connections
from django_redis import get_redis_connection

from apps.core import antivirus
from apps.core.objectstore import s3_client
from apps.core.search import es_client
from config.celery import app

CHECK_TIMEOUT = 2.0


def check_postgres() -> None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        # The check runs in a worker thread, which owns this connection.
        connections.close_all()


def check_redis() -> None:
    get_redis_connection("default").ping()


def check_elasticsearch() -> None:
    health = es_client(request_timeout=CHECK_TIMEOUT).cluster.health()
    if health["status"] == "red":
        raise RuntimeError("cluster status is red")


def check_object_store() -> None:
    """The bucket answers Kura's keys, and refuses anyone else's listing: a bucket that
    answers an unsigned one shows every company's keys and sizes to whoever asks."""
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    s3_client(connect_timeout=CHECK_TIMEOUT, read_timeout=CHECK_TIMEOUT).head_bucket(Bucket=bucket)
    anyone = s3_client(connect_timeout=CHECK_TIMEOUT, read_timeout=CHECK_TIMEOUT, unsigned=True)
    try:
        # MaxKeys=0: a public bucket answers an empty listing, so the probe stays cheap.
        anyone.list_objects_v2(Bucket=bucket, MaxKeys=0)
    except ClientError as refused:
        if refused.response["ResponseMetadata"]["HTTPStatusCode"] == HTTPStatus.FORBIDDEN:
            return
        raise
    raise RuntimeError(f"bucket {bucket} is public: it answers an unsigned listing")


def check_clamd() -> None:
    antivirus.ping(timeout=CHECK_TIMEOUT)


def check_celery_worker() -> None:
    if not app.control.ping(timeout=CHECK_TIMEOUT / 2):
        raise RuntimeError("no worker answered")


CHECKS: dict[str, Callable[[], None]] = {
    "postgres": check_postgres,
    "redis": check_redis,
    "elasticsearch": check_elasticsearch,
    "object_store": check_object_store,
    "clamd": check_clamd,
    "celery": check_celery_worker,
}


_backlogs: dict[str, Callable[[], object]] = {}


def backlog_register(name: str, read: Callable[[], object]) -> None:
    """An app's backlog (`read()` answers how far behind its workers are), reported by the
    readiness probe under `name`. Called from the app's AppConfig.ready()."""
    _backlogs[name] = read


def backlogs() -> dict[str, object]:
    """How far behind asynchronous work is: reported beside the checks, never failing the
    probe (a backlog is what the workers are there to work off)."""
    report: dict[str, object] = {}
    for name, read in _backlogs.items():
        try:
            report[name] = read()
        except Exception as exc:  # noqa: BLE001 - the postgres check says why
            report[name] = f"error: {type(exc).__name__}"
    return report


def readiness() -> dict[str, str]:
    """Each dependency's state: "ok", or what went wrong."""
    results: dict[str, str] = {}
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    futures = {name: pool.submit(check) for name, check in CHECKS.items()}
    for name, future in futures.items():
        try:
            future.result(timeout=CHECK_TIMEOUT + 1)
            results[name] = "ok"
        except FutureTimeout:
            results[name] = "error: timed out"
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none raised
            results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
    # A hung check must not hold the probe; its thread ends on its own timeout.
    pool.shutdown(wait=False, cancel_futures=True)
    return results
