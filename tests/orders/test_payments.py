"""The payment webhook: signed with the company's secret, fresh, once per event id; it pays
a pending order, and a payment for an order that expired (or was cancelled, or paid) is
recorded and flagged for a refund. Every refusal leaves everything as it was."""

import hmac
import json
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal, SystemActor
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.orders import signer
from apps.orders.models import Order, PaymentEvent
from apps.orders.services import LineInput, order_expire, order_place, payment_secret_rotate
from tests.accounts.factories import MembershipFactory
from tests.api import api_client
from tests.orders.conftest import make_product, stock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(tenant) -> str:
    with schema_context(tenant.schema_name):
        return payment_secret_rotate(actor=SystemActor(tenant, "tests")).secret


@pytest.fixture
def order(tenant, member) -> Order:
    tea = make_product(tenant, name="緑茶", price=500, stock=10)
    with schema_context(tenant.schema_name):
        return order_place(
            tenant=tenant,
            actor=Principal.of_membership(member),
            lines=[LineInput(product_id=tea.pk, quantity=3)],
            idempotency_key="k",
        ).order


def payload(order: Order, **changes) -> dict:
    return {
        "event_id": "evt_1",
        "order_number": order.number,
        "amount": order.total,
        "reference": "ch_123",
    } | changes


def send(tenant, secret: str, body: dict, *, at: float | None = None, signature=None):
    raw = json.dumps(body).encode()
    timestamp = str(int(time.time() if at is None else at))
    headers = {
        "HTTP_KURA_TIMESTAMP": timestamp,
        "HTTP_KURA_SIGNATURE": signature or signer.sign(secret, timestamp, raw),
    }
    return api_client(tenant).post(
        "/api/payments/webhook", raw, content_type="application/json", **headers
    )


def state_of(tenant, order: Order) -> tuple:
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        order = Order.objects.get(pk=order.pk)
        events = list(PaymentEvent.objects.values_list("event_id", "outcome"))
        return order.state, order.refund_flagged, order.payment_reference, events


def product_of(tenant, order: Order) -> int:
    with schema_context(tenant.schema_name):
        return order.lines.get().product_id


PENDING = ("pending_payment", False, "", [])


def test_a_signed_payment_pays_the_order_cancels_its_job_and_tells_the_buyer(
    tenant, member, order, secret
):
    response = send(tenant, secret, payload(order))
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "event_id": "evt_1",
        "order_number": order.number,
        "outcome": "paid",
        "state": "paid",
    }
    assert state_of(tenant, order) == ("paid", False, "ch_123", [("evt_1", "paid")])
    with schema_context(tenant.schema_name):
        notes = list(Notification.objects.values_list("user_id", "title"))
    assert notes == [(member.user_id, f"Your order {order.number} is paid")]
    connection.set_schema_to_public()
    assert Job.objects.get(idempotency_key=f"order:{order.pk}", tenant=tenant).state == "cancelled"


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("bad signature", "The signature is not valid."),
        ("no signature", "The signature is not valid."),
        ("another secret", "The signature is not valid."),
        ("old", "The timestamp is more than five minutes old."),
        ("future", "The timestamp is in the future."),
        ("body changed", "The signature is not valid."),
    ],
)
def test_a_webhook_that_is_not_signed_and_fresh_is_401_and_changes_nothing(
    tenant, order, secret, how, message
):
    body = payload(order)
    if how == "bad signature":
        response = send(tenant, secret, body, signature="v1=" + "0" * 64)
    elif how == "no signature":
        response = api_client(tenant).post("/api/payments/webhook", body, format="json")
    elif how == "another secret":
        response = send(tenant, "whsec_not-ours", body)
    elif how == "old":
        response = send(tenant, secret, body, at=time.time() - 301)
    elif how == "future":
        # Well past the minute ahead allowed: the stamp is cut to whole seconds and the
        # server reads its clock later, so now + 61 could land inside it under load.
        response = send(tenant, secret, body, at=time.time() + 120)
    else:
        raw = json.dumps(body).encode()
        stamp = str(int(time.time()))
        response = api_client(tenant).post(
            "/api/payments/webhook",
            json.dumps(payload(order, amount=1)),
            content_type="application/json",
            HTTP_KURA_TIMESTAMP=stamp,
            HTTP_KURA_SIGNATURE=signer.sign(secret, stamp, raw),
        )
    assert response.status_code == 401
    assert (response.json()["code"], response.json()["message"]) == ("invalid_signature", message)
    assert state_of(tenant, order) == PENDING


def test_timestamps_just_inside_the_window_are_accepted(tenant, order, secret):
    assert send(tenant, secret, payload(order), at=time.time() - 290).status_code == 200


def test_another_companys_secret_does_not_open_this_one(tenant, other_tenant, order, secret):
    with schema_context(other_tenant.schema_name):
        theirs = payment_secret_rotate(actor=SystemActor(tenant, "tests")).secret
    assert send(tenant, theirs, payload(order)).status_code == 401
    # Their host with their secret does not find this company's order.
    response = send(other_tenant, theirs, payload(order))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert state_of(tenant, order) == PENDING


def test_without_a_secret_every_webhook_is_refused(tenant, order):
    assert send(tenant, "whsec_anything", payload(order)).status_code == 401


def test_a_replayed_event_is_409_and_changes_nothing(tenant, order, secret):
    assert send(tenant, secret, payload(order)).status_code == 200
    response = send(tenant, secret, payload(order, reference="ch_other"))
    assert (response.status_code, response.json()["code"]) == (409, "replayed_event")
    assert state_of(tenant, order) == ("paid", False, "ch_123", [("evt_1", "paid")])


def test_an_amount_that_is_not_the_total_is_422_and_changes_nothing(tenant, order, secret):
    response = send(tenant, secret, payload(order, amount=order.total - 1))
    assert (response.status_code, response.json()["code"]) == (422, "amount_mismatch")
    assert response.json()["message"] == "The amount paid (1499) is not the order's total (1500)."
    assert state_of(tenant, order) == PENDING


def test_a_malformed_body_with_a_good_signature_is_400(tenant, order, secret):
    response = send(tenant, secret, {"event_id": "e", "order_number": order.number})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["amount"]
    assert state_of(tenant, order) == PENDING


def test_a_payment_after_expiry_is_recorded_and_flagged_for_a_refund(tenant, member, order, secret):
    with schema_context(tenant.schema_name):
        assert order_expire(tenant=tenant, order_id=order.pk) is True
    response = send(tenant, secret, payload(order))
    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["state"]) == ("refund", "expired")
    assert state_of(tenant, order) == ("expired", True, "", [("evt_1", "refund")])
    with schema_context(tenant.schema_name):
        assert Order.objects.get(pk=order.pk).refund_reason == "Paid after the order was Expired."
        notes = list(Notification.objects.order_by("id").values_list("user_id", "title"))
    assert notes == [
        (member.user_id, f"Your order {order.number} expired"),
        (member.user_id, f"A payment for your order {order.number} will be refunded"),
    ]
    assert stock_of(tenant, product_of(tenant, order)) == 10


def test_a_second_payment_of_a_paid_order_is_flagged_for_a_refund(tenant, order, secret):
    assert send(tenant, secret, payload(order)).status_code == 200
    response = send(tenant, secret, payload(order, event_id="evt_2"))
    assert response.json()["outcome"] == "refund"
    assert state_of(tenant, order) == (
        "paid",
        True,
        "ch_123",
        [("evt_2", "refund"), ("evt_1", "paid")],
    )


def test_owners_make_and_rotate_the_secret_and_the_old_one_stops_working(tenant, order, client_of):
    owner = client_of(MembershipFactory(tenant=tenant, role="owner"))
    first = owner.post("/api/payments/secret")
    assert first.status_code == 201
    assert first.json()["secret"].startswith("whsec_")
    assert first.json()["rotated_at"] is None
    second = owner.post("/api/payments/secret").json()
    assert second["secret"] != first.json()["secret"]
    assert second["created_at"] == first.json()["created_at"]
    assert second["rotated_at"] is not None
    assert send(tenant, first.json()["secret"], payload(order)).status_code == 401
    assert send(tenant, second["secret"], payload(order)).status_code == 200


def test_the_signer_makes_what_the_webhook_checks():
    header = signer.sign("s3cret", 1_700_000_000, b'{"a":1}')
    assert header == "v1=" + hmac.new(b"s3cret", b'1700000000.{"a":1}', "sha256").hexdigest()
    assert signer.verify("s3cret", "1700000000", b'{"a":1}', header) is True
    assert signer.verify("s3cret", "1700000001", b'{"a":1}', header) is False
    assert signer.verify("s3cret", "-1", b'{"a":1}', header) is False
    assert signer.verify("s3cret", "1700000000", b'{"a":1}', header.upper()) is False


def test_expiry_runs_once(tenant, order):
    with schema_context(tenant.schema_name):
        assert order_expire(tenant=tenant, order_id=order.pk) is True
        assert order_expire(tenant=tenant, order_id=order.pk) is False
        assert order_expire(tenant=tenant, order_id=999_999) is False
    assert stock_of(tenant, product_of(tenant, order)) == 10
    assert 899 <= (order.expires_at - order.created_at).total_seconds() <= 901
