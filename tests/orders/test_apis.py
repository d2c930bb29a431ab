"""The orders API: placing an order reserves stock (all lines or none), bad input is a 4xx
in the one error shape with nothing reserved, the same key twice is the first order, and
orders are their buyer's (owners and admins see and cancel any)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.orders.models import Order
from apps.orders.services import LineInput, order_place
from apps.search.models import OutboxEntry
from tests.accounts.factories import MembershipFactory
from tests.orders.conftest import make_product, stock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def goods(tenant):
    return {
        "tea": make_product(tenant, name="緑茶", price=500, stock=10),
        "cup": make_product(tenant, name="湯呑み", price=1200, stock=2),
        "old": make_product(tenant, name="旧商品", price=100, stock=5, active=False),
    }


@pytest.fixture
def buyer(member, client_of):
    return client_of(member)


def place(client, lines, key="k1"):
    return client.post("/api/orders", {"lines": lines, "idempotency_key": key}, format="json")


def line(product, quantity):
    return {"product_id": product.pk, "quantity": quantity}


def stocks(tenant, goods) -> dict[str, int]:
    return {name: stock_of(tenant, product.pk) for name, product in goods.items()}


def orders_count(tenant) -> int:
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        return Order.objects.count()


def test_an_order_reserves_stock_copies_prices_and_schedules_its_expiry(
    tenant, member, buyer, goods
):
    response = place(buyer, [line(goods["tea"], 3), line(goods["cup"], 2)])
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["number"].startswith("K-")
    assert len(order["number"]) == 11
    assert (order["state"], order["total"], order["currency"]) == ("pending_payment", 3900, "JPY")
    assert order["buyer"]["id"] == member.user_id
    assert [
        (li["product_name"], li["unit_price"], li["quantity"], li["subtotal"])
        for li in order["lines"]
    ] == [
        ("緑茶", 500, 3, 1500),
        ("湯呑み", 1200, 2, 2400),
    ]
    assert stocks(tenant, goods) == {"tea": 7, "cup": 0, "old": 5}
    connection.set_schema_to_public()
    job = Job.objects.get(tenant=tenant, idempotency_key=f"order:{order['id']}")
    assert (job.kind, job.payload, job.state) == (
        "order.expire",
        {"order_id": order["id"]},
        "scheduled",
    )
    with schema_context(tenant.schema_name):
        placed = Order.objects.get(pk=order["id"])
    assert 899 <= (placed.expires_at - placed.created_at).total_seconds() <= 901
    outbox = OutboxEntry.objects.filter(tenant=tenant, kind="product").order_by("id")
    # Each product when made, then the two whose stock the order took.
    ids = [goods[name].pk for name in ("tea", "cup", "old", "tea", "cup")]
    assert list(outbox.values_list("object_id", flat=True)) == ids


def test_the_same_key_twice_is_the_first_order_and_reserves_nothing_more(tenant, buyer, goods):
    first = place(buyer, [line(goods["tea"], 2)], key="same")
    again = place(buyer, [line(goods["tea"], 5)], key="same")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert stocks(tenant, goods)["tea"] == 8
    assert orders_count(tenant) == 1


def test_another_persons_same_key_is_their_own_order(tenant, buyer, goods, client_of):
    other = client_of(MembershipFactory(tenant=tenant, role="member"))
    assert place(buyer, [line(goods["tea"], 1)], key="same").status_code == 201
    assert place(other, [line(goods["tea"], 1)], key="same").status_code == 201
    assert stocks(tenant, goods)["tea"] == 8


@pytest.mark.parametrize(
    ("lines", "status", "message"),
    [
        ([], 400, "Order at least one product."),
        (
            [{"product_id": "TEA", "quantity": "1"}],
            400,
            "item 1: quantity: Must be a whole number.",
        ),
        (
            [{"product_id": "TEA", "quantity": 0}],
            400,
            "item 1: quantity: Ensure this value is greater than or equal to 1.",
        ),
        (
            [{"product_id": "TEA", "quantity": -1}],
            400,
            "item 1: quantity: Ensure this value is greater than or equal to 1.",
        ),
        (
            [{"product_id": "TEA", "quantity": 1001}],
            400,
            "item 1: quantity: Ensure this value is less than or equal to 1000.",
        ),
        (
            [{"product_id": "TEA", "quantity": 600}, {"product_id": "TEA", "quantity": 600}],
            422,  # each line of the form the schema describes
            "Order from 1 to 1000 units of product TEA.",
        ),
        ([{"product_id": "OLD", "quantity": 1}], 422, "Not on sale: product OLD."),
        ([{"product_id": 999999999, "quantity": 1}], 422, "Not on sale: product 999999999."),
        (
            [{"product_id": "TEA", "quantity": 1}] * 51,
            400,
            "Ensure this field has no more than 50 elements.",
        ),
    ],
)
def test_bad_lines_are_refused_naming_the_problem_with_nothing_reserved(  # noqa: PLR0917
    tenant, buyer, goods, lines, status, message
):
    """400 for what the schema refuses, 422 for lines it allows that cannot be ordered."""
    ids = {"TEA": goods["tea"].pk, "OLD": goods["old"].pk}
    lines = [{**li, "product_id": ids.get(li["product_id"], li["product_id"])} for li in lines]
    message = message.replace("TEA", str(ids["TEA"])).replace("OLD", str(ids["OLD"]))
    response = place(buyer, lines)
    assert response.status_code == status
    assert response.json()["errors"] == {"lines": [message]}
    assert stocks(tenant, goods) == {"tea": 10, "cup": 2, "old": 5}
    assert orders_count(tenant) == 0


def test_missing_or_blank_key_is_400(buyer, goods):
    response = buyer.post("/api/orders", {"lines": [line(goods["tea"], 1)]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["idempotency_key"]
    assert place(buyer, [line(goods["tea"], 1)], key="   ").status_code == 400


def test_not_enough_stock_of_one_line_is_409_naming_it_and_reserves_no_line(tenant, buyer, goods):
    response = place(buyer, [line(goods["tea"], 3), line(goods["cup"], 3)])
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["message"]) == (
        "out_of_stock",
        "Not enough stock of 湯呑み.",
    )
    assert stocks(tenant, goods) == {"tea": 10, "cup": 2, "old": 5}
    assert orders_count(tenant) == 0
    connection.set_schema_to_public()
    assert not Job.objects.filter(tenant=tenant, kind="order.expire").exists()


def test_the_buyer_cancels_a_pending_order_its_job_is_cancelled_and_stock_returns_once(
    tenant, buyer, goods
):
    order = place(buyer, [line(goods["tea"], 4)]).json()
    response = buyer.post(f"/api/orders/{order['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert response.json()["closed_at"] is not None
    assert stocks(tenant, goods)["tea"] == 10
    connection.set_schema_to_public()
    job = Job.objects.get(tenant=tenant, idempotency_key=f"order:{order['id']}")
    assert job.state == "cancelled"
    again = buyer.post(f"/api/orders/{order['id']}/cancel")
    assert (again.status_code, again.json()["message"]) == (409, "This order is already Cancelled.")
    assert stocks(tenant, goods)["tea"] == 10


def test_a_buyer_cannot_cancel_a_paid_order(tenant, member, buyer, goods):
    order = place(buyer, [line(goods["tea"], 1)]).json()
    with schema_context(tenant.schema_name):
        Order.objects.filter(pk=order["id"]).update(
            state="paid", paid_at=Order.objects.get(pk=order["id"]).created_at
        )
    response = buyer.post(f"/api/orders/{order['id']}/cancel")
    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert stocks(tenant, goods)["tea"] == 9


def test_an_admin_cancels_someone_elses_order_and_the_buyer_is_told(
    tenant, member, buyer, goods, client_of
):
    order = place(buyer, [line(goods["cup"], 1)]).json()
    admin = client_of(MembershipFactory(tenant=tenant, role="admin"))
    assert admin.post(f"/api/orders/{order['id']}/cancel").status_code == 200
    assert stocks(tenant, goods)["cup"] == 2
    with schema_context(tenant.schema_name):
        notes = list(Notification.objects.values_list("user_id", "title", "link"))
    assert notes == [
        (member.user_id, f"Your order {order['number']} was cancelled", f"/orders/{order['id']}")
    ]


def test_others_orders_are_not_found_for_members_and_another_company(
    tenant, other_tenant, buyer, goods, client_of
):
    order = place(buyer, [line(goods["tea"], 1)]).json()
    colleague = client_of(MembershipFactory(tenant=tenant, role="member"))
    assert colleague.get(f"/api/orders/{order['id']}").status_code == 404
    assert colleague.post(f"/api/orders/{order['id']}/cancel").status_code == 404
    connection.set_schema_to_public()
    outsider = client_of(MembershipFactory(tenant=other_tenant, role="owner"), on=other_tenant)
    assert outsider.get(f"/api/orders/{order['id']}").status_code == 404
    assert outsider.post(f"/api/orders/{order['id']}/cancel").status_code == 404
    assert stocks(tenant, goods)["tea"] == 9


def test_people_list_their_own_orders_and_managers_everyones_by_state(  # noqa: PLR0917
    tenant, member, buyer, goods, client_of, django_assert_num_queries
):
    mine = [place(buyer, [line(goods["tea"], 1)], key=f"k{i}").json() for i in range(3)]
    buyer.post(f"/api/orders/{mine[0]['id']}/cancel")
    colleague = client_of(MembershipFactory(tenant=tenant, role="member"))
    theirs = place(colleague, [line(goods["tea"], 1)], key="c").json()
    listed = buyer.get("/api/orders").json()
    assert [o["id"] for o in listed["results"]] == [mine[2]["id"], mine[1]["id"], mine[0]["id"]]
    assert (listed["page"], listed["total"]) == (1, 3)
    admin = client_of(MembershipFactory(tenant=tenant, role="admin"))
    everyone = admin.get("/api/orders").json()
    assert [o["id"] for o in everyone["results"]] == [
        theirs["id"],
        mine[2]["id"],
        mine[1]["id"],
        mine[0]["id"],
    ]
    cancelled = admin.get("/api/orders?state=cancelled").json()
    assert [o["id"] for o in cancelled["results"]] == [mine[0]["id"]]
    assert admin.get("/api/orders?state=nonsense").status_code == 400
    # The same number of queries whatever the page holds (buyers joined, lines and tax lines
    # prefetched).
    connection.set_schema_to_public()  # as the server's connection is between requests
    for limit in (1, 3):
        with django_assert_num_queries(7):
            assert admin.get(f"/api/orders?limit={limit}").status_code == 200
    keyset = admin.get("/api/orders?after=&limit=2").json()
    assert [o["id"] for o in keyset["results"]] == [theirs["id"], mine[2]["id"]]


def test_refusals_speak_japanese(tenant, member, buyer, goods):
    response = buyer.post(
        "/api/orders",
        {"lines": [line(goods["cup"], 3)], "idempotency_key": "ja"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.json()["message"] == "「湯呑み」の在庫が足りません。"
    empty = place(buyer, [], key="ja")
    assert empty.json()["errors"] == {"lines": ["Order at least one product."]}
    japanese = buyer.post(
        "/api/orders",
        {"lines": [], "idempotency_key": "ja"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert japanese.json()["errors"] == {"lines": ["商品を1つ以上注文してください。"]}


def test_the_service_refuses_a_line_of_no_units_even_beside_another(tenant, member, goods):
    lines = [LineInput(product_id=goods["tea"].pk, quantity=q) for q in (5, 0)]
    with (
        schema_context(tenant.schema_name),
        translation.override("en"),
        pytest.raises(ValidationError) as refused,
    ):
        order_place(
            tenant=tenant, actor=Principal.of_membership(member), lines=lines, idempotency_key="z"
        )
    assert refused.value.message_dict == {
        "lines": [f"Order from 1 to 1000 units of product {goods['tea'].pk}."]
    }
    assert stocks(tenant, goods)["tea"] == 10
