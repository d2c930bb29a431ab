"""Races on orders, with threads against committed data (each thread has its own database
connection, as the server's workers do): many buyers for the last units, and a payment
arriving while the expiry job runs."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.catalog.errors import OutOfStockError
from apps.notifications.models import Notification
from apps.orders.models import Order, PaymentEvent
from apps.orders.services import LineInput, order_expire, order_place, payment_record
from tests.accounts.factories import MembershipFactory
from tests.conftest import COMMITTED_DOMAIN
from tests.orders.conftest import make_product, stock_of


def in_parallel(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in a thread of its own, all let go at once; their results (or the
    exceptions they raised), in order."""
    results: list[object] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001 - the result the test looks at
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def in_tenant(tenant, call: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        with schema_context(tenant.schema_name):
            return call()

    return run


def test_fifty_buyers_for_the_last_ten_units_leave_stock_at_zero_with_ten_orders(shop, tenant):
    last = make_product(tenant, name="最後の10個", price=1000, stock=10)
    buyers = [
        Principal.of_membership(
            MembershipFactory(tenant=tenant, user__email=f"b{i}{COMMITTED_DOMAIN}")
        )
        for i in range(50)
    ]

    def order_one(buyer: Principal) -> Callable[[], object]:
        return in_tenant(
            tenant,
            lambda: order_place(
                tenant=tenant,
                actor=buyer,
                lines=[LineInput(product_id=last.pk, quantity=1)],
                idempotency_key="last",
            ),
        )

    results = in_parallel([order_one(buyer) for buyer in buyers])
    refused = [r for r in results if isinstance(r, OutOfStockError)]
    assert len(refused) == 40, [r for r in results if isinstance(r, Exception)][:3]
    assert {r.product_id for r in refused} == {last.pk}
    assert stock_of(tenant, last.pk) == 0
    with schema_context(tenant.schema_name):
        assert Order.objects.filter(state="pending_payment").count() == 10
        assert sorted(Order.objects.values_list("lines__quantity", flat=True)) == [1] * 10


@pytest.mark.slow
def test_a_payment_racing_the_expiry_ends_in_one_outcome_every_time(shop, tenant):
    rounds = 100
    tea = make_product(tenant, name="緑茶", price=500, stock=rounds)
    person = MembershipFactory(tenant=tenant, user__email=f"racer{COMMITTED_DOMAIN}")
    buyer = Principal.of_membership(person)
    outcomes: dict[str, int] = {}
    for i in range(rounds):
        with schema_context(tenant.schema_name):
            order = order_place(
                tenant=tenant,
                actor=buyer,
                lines=[LineInput(product_id=tea.pk, quantity=1)],
                idempotency_key=f"r{i}",
            ).order
        before = stock_of(tenant, tea.pk)
        expired, event = in_parallel(
            [
                in_tenant(tenant, lambda o=order: order_expire(tenant=tenant, order_id=o.pk)),
                in_tenant(
                    tenant,
                    lambda o=order, i=i: payment_record(
                        tenant=tenant,
                        event_id=f"evt-{i}",
                        order_number=o.number,
                        amount=500,
                        reference=f"ch-{i}",
                    ),
                ),
            ]
        )
        assert isinstance(event, PaymentEvent), event
        with schema_context(tenant.schema_name):
            order.refresh_from_db()
            notes = list(
                Notification.objects.filter(link=f"/orders/{order.pk}")
                .order_by("id")
                .values_list("title", flat=True)
            )
        returned = stock_of(tenant, tea.pk) - before
        seen = (order.state, expired, event.outcome, order.refund_flagged, returned, len(notes))
        # Paid first: the expiry finds it paid and does nothing. Expired first: the stock
        # returns once and the payment is kept for a refund. Nothing else.
        assert seen in {
            ("paid", False, "paid", False, 0, 1),
            ("expired", True, "refund", True, 1, 2),
        }, (i, seen)
        outcomes[order.state] = outcomes.get(order.state, 0) + 1
    assert sum(outcomes.values()) == rounds
    print(outcomes)  # noqa: T201 - how the races fell, with -s


def test_one_key_sent_ten_times_at_once_is_one_order_and_one_reservation(shop, tenant):
    tea = make_product(tenant, name="緑茶", price=500, stock=100)
    buyer = Principal.of_membership(
        MembershipFactory(tenant=tenant, user__email=f"retry{COMMITTED_DOMAIN}")
    )
    results = in_parallel(
        [
            in_tenant(
                tenant,
                lambda: order_place(
                    tenant=tenant,
                    actor=buyer,
                    lines=[LineInput(product_id=tea.pk, quantity=3)],
                    idempotency_key="double-click",
                ),
            )
        ]
        * 10
    )
    assert sorted(r.created for r in results) == [False] * 9 + [True], results  # type: ignore[attr-defined]
    assert len({r.order.pk for r in results}) == 1  # type: ignore[attr-defined]
    assert stock_of(tenant, tea.pk) == 97
