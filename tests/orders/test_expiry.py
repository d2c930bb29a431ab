"""Unpaid orders on the real delayed queue: a worker and two beats."""

import time
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context
from psycopg import sql

from apps.accounts.principal import Principal
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.orders.models import Order
from apps.orders.services import LineInput, order_cancel, order_place
from tests import processes
from tests.jobs.conftest import job_state, wait_until
from tests.orders.conftest import make_product, stock_of

pytestmark = pytest.mark.usefixtures("celery_worker_process", "celery_beat_process")


@pytest.fixture
def second_beat(celery_env) -> Iterator[None]:
    beat = processes.beat(celery_env, name="beat-2").start()
    yield
    beat.stop()


def place(tenant, person, product, *, seconds: float) -> Order:
    with schema_context(tenant.schema_name):
        return order_place(
            tenant=tenant,
            actor=Principal.of_membership(person),
            lines=[LineInput(product_id=product.pk, quantity=4)],
            idempotency_key=f"k{time.monotonic_ns()}",
            expires_in=timedelta(seconds=seconds),
        ).order


def job_of(tenant, order: Order) -> Job:
    connection.set_schema_to_public()
    return Job.objects.get(tenant=tenant, idempotency_key=f"order:{order.pk}")


def test_an_unpaid_order_expires_on_time_and_its_stock_returns_once(
    shop, tenant, committed_person, second_beat
):
    tea = make_product(tenant, name="緑茶", price=500, stock=10)
    order = place(tenant, committed_person, tea, seconds=2)
    assert stock_of(tenant, tea.pk) == 6
    job = job_of(tenant, order)
    wait_until(lambda: job_state(job) == "succeeded", 10, "the expiry job")
    time.sleep(1.5)  # a second expiry or return of stock would have landed by now
    assert stock_of(tenant, tea.pk) == 10
    with schema_context(tenant.schema_name):
        order.refresh_from_db()
        notes = list(Notification.objects.values_list("user_id", "title"))
    assert order.state == "expired"
    lateness = (order.closed_at - order.expires_at).total_seconds()
    assert 0 <= lateness < 1, lateness
    assert notes == [(committed_person.user_id, f"Your order {order.number} expired")]
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_an_order_cancelled_before_its_time_never_expires(shop, tenant, committed_person):
    tea = make_product(tenant, name="緑茶", price=500, stock=10)
    order = place(tenant, committed_person, tea, seconds=2)
    with schema_context(tenant.schema_name):
        order_cancel(tenant=tenant, order=order, actor=Principal.of_membership(committed_person))
    time.sleep(3)
    assert job_state(job_of(tenant, order)) == "cancelled"
    assert stock_of(tenant, tea.pk) == 10
    with schema_context(tenant.schema_name):
        order.refresh_from_db()
    assert (order.state, order.paid_at) == ("cancelled", None)


@pytest.mark.slow
def test_a_worker_killed_mid_expiry_still_expires_the_order_once(
    shop, tenant, committed_person, celery_worker_process
):
    """The worker is killed while its expiry waits for the order's row (held here), so it
    dies inside the handler; the sweep reclaims the job once the lease passes and a new
    worker expires the order: once, with the stock returned once."""
    tea = make_product(tenant, name="緑茶", price=500, stock=10)
    order = place(tenant, committed_person, tea, seconds=1)
    job = job_of(tenant, order)
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=db["NAME"],
    )
    try:
        holder.execute(
            sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR UPDATE").format(
                sql.Identifier(tenant.schema_name, "orders_order")
            ),
            [order.pk],
        )
        wait_until(lambda: job_state(job) == "running", 10, "the expiry to start")
        time.sleep(0.5)  # the handler waits for the row now
        celery_worker_process.kill()
        celery_worker_process.start()
    finally:
        holder.rollback()
        holder.close()
    processes.wait_for_worker(celery_worker_process)
    wait_until(lambda: job_state(job) == "succeeded", 30, "the reclaimed expiry")
    assert Job.objects.get(pk=job.pk).attempts == 2
    assert stock_of(tenant, tea.pk) == 10
    with schema_context(tenant.schema_name):
        order.refresh_from_db()
        notes = Notification.objects.filter(link=f"/orders/{order.pk}").count()
    assert (order.state, notes) == ("expired", 1)
