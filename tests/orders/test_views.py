"""The orders' pages: the cart in the session, checking out (one order however often the
form is sent), a person's orders with the countdown, the managers' page of every order by
state, cancelling, and paying with the demo signer."""

import re

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.notifications.models import Notification
from apps.orders.models import Order, PaymentEvent, PaymentSecret
from apps.orders.services import LineInput, order_place
from tests.accounts.factories import MembershipFactory
from tests.orders.conftest import make_product, stock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea(tenant):
    return make_product(tenant, name="緑茶", price=500, stock=10)


@pytest.fixture
def cup(tenant):
    return make_product(tenant, name="湯呑み", price=1200, stock=2)


def place(tenant, membership, product, quantity=1, key="k"):
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        order = order_place(
            tenant=tenant,
            actor=Principal.of_membership(membership),
            lines=[LineInput(product_id=product.pk, quantity=quantity)],
            idempotency_key=key,
        ).order
    connection.set_schema_to_public()
    return order


def orders_of(tenant) -> list[tuple[str, int]]:
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        return list(Order.objects.order_by("id").values_list("state", "total"))


def checkout_key(html: str) -> str:
    found = re.search(r'name="key" value="([0-9a-f]{32})"', html)
    assert found is not None
    return found.group(1)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_product_page_has_add_to_cart_for_buyers_when_in_stock(
    tenant, member, viewer, page_of, tea
):
    sold_out = make_product(tenant, name="品切れ", price=1, stock=0)
    html = page_of(member).get(f"/catalog/{tea.pk}").content.decode()
    assert 'data-testid="add-to-cart"' in html
    assert f'name="product" value="{tea.pk}"' in html
    sold_out_html = page_of(member).get(f"/catalog/{sold_out.pk}").content.decode()
    assert 'data-testid="add-to-cart"' not in sold_out_html
    viewers_html = page_of(viewer).get(f"/catalog/{tea.pk}").content.decode()
    assert 'data-testid="add-to-cart"' not in viewers_html


def test_add_to_cart_then_the_cart_shows_lines_and_total(member, page_of, tea, cup):
    client = page_of(member)
    assert client.post("/cart/add", {"product": tea.pk, "quantity": 3}).status_code == 302
    client.post("/cart/add", {"product": tea.pk, "quantity": 1})
    client.post("/cart/add", {"product": cup.pk, "quantity": 2})
    assert client.session["cart"] == {str(tea.pk): 4, str(cup.pk): 2}
    response = client.get("/cart")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="cart-line"') == 2
    assert '<span data-testid="cart-total">¥4,400</span>' in html
    change = {"action": "change", "product": cup.pk, "quantity": 1}
    changed = client.post("/cart", change, follow=True)
    assert messages_of(changed) == ["Quantity changed."]
    removed = client.post("/cart", {"action": "remove", "product": tea.pk}, follow=True)
    assert messages_of(removed) == ["Removed from your cart."]
    assert client.session["cart"] == {str(cup.pk): 1}
    bad = client.post("/cart/add", {"product": tea.pk, "quantity": 1001}, follow=True)
    assert messages_of(bad) == ["Choose from 1 to 1000 units."]
    assert client.session["cart"] == {str(cup.pk): 1}


def test_an_empty_cart_says_where_to_go(member, page_of):
    html = page_of(member).get("/cart").content.decode()
    assert 'data-testid="empty-cart"' in html


def test_checkout_sent_twice_places_one_order(tenant, member, page_of, tea, cup):
    client = page_of(member)
    client.post("/cart/add", {"product": tea.pk, "quantity": 3})
    client.post("/cart/add", {"product": cup.pk, "quantity": 1})
    key = checkout_key(client.get("/cart").content.decode())
    first = client.post("/cart", {"action": "checkout", "key": key})
    second = client.post("/cart", {"action": "checkout", "key": key})
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/orders/{order.pk}"
    assert orders_of(tenant) == [("pending_payment", 2700)]
    assert (stock_of(tenant, tea.pk), stock_of(tenant, cup.pk)) == (7, 1)
    assert client.session["cart"] == {}


def test_out_of_stock_keeps_the_cart_and_names_the_product(tenant, member, page_of, cup):
    client = page_of(member)
    client.post("/cart/add", {"product": cup.pk, "quantity": 3})
    key = checkout_key(client.get("/cart").content.decode())
    response = client.post("/cart", {"action": "checkout", "key": key}, follow=True)
    assert response.redirect_chain == [("/cart", 302)]
    assert messages_of(response) == ["Not enough stock of 湯呑み."]
    assert client.session["cart"] == {str(cup.pk): 3}
    assert orders_of(tenant) == []


def test_a_product_taken_off_sale_is_dropped_at_checkout(tenant, member, page_of, tea, cup):
    client = page_of(member)
    client.post("/cart/add", {"product": tea.pk, "quantity": 1})
    client.post("/cart/add", {"product": cup.pk, "quantity": 1})
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        type(cup).objects.filter(pk=cup.pk).update(active=False)
    connection.set_schema_to_public()
    html = client.get("/cart").content.decode()
    assert html.count('data-testid="unavailable"') == 1
    key = checkout_key(html)
    response = client.post("/cart", {"action": "checkout", "key": key}, follow=True)
    assert orders_of(tenant) == [("pending_payment", 500)]
    with schema_context(tenant.schema_name):
        number = Order.objects.get().number
    assert messages_of(response) == [
        "“湯呑み” is no longer on sale and was removed from your cart.",
        f"Order {number} placed. Pay before the time runs out.",
    ]


def test_a_viewer_cannot_check_out(tenant, viewer, page_of, tea):
    client = page_of(viewer)
    assert client.post("/cart/add", {"product": tea.pk, "quantity": 1}).status_code == 403
    session = client.session
    session["cart"] = {str(tea.pk): 1}
    session.save()
    html = client.get("/cart").content.decode()
    assert 'data-testid="read-only"' in html
    assert 'data-testid="checkout"' not in html
    assert client.post("/cart", {"action": "checkout", "key": "x"}).status_code == 403
    assert orders_of(tenant) == []


def test_my_orders_lists_only_mine_with_the_countdown(tenant, member, page_of, tea):
    mine = place(tenant, member, tea, 2, key="a")
    place(tenant, MembershipFactory(tenant=tenant), tea, 1, key="b")
    html = page_of(member).get("/orders").content.decode()
    assert html.count('data-testid="order-row"') == 1
    assert mine.number in html
    expires = timezone.localtime(mine.expires_at).isoformat(timespec="seconds")
    assert f'<time datetime="{expires}" data-countdown data-left="{{time}} left"' in html
    assert "/static/js/orders.js" in html


def test_no_orders_yet(member, page_of):
    html = page_of(member).get("/orders").content.decode()
    assert 'data-testid="no-orders"' in html


def test_managers_see_every_order_filtered_by_state(tenant, member, owner, page_of, tea):
    first = place(tenant, member, tea, 1, key="a")
    second = place(tenant, owner, tea, 1, key="b")
    page_of(member).post(f"/orders/{first.pk}", {"action": "cancel"})
    client = page_of(owner)
    everything = client.get("/orders/all").content.decode()
    assert everything.count('data-testid="order-row"') == 2
    cancelled = client.get("/orders/all?state=cancelled").content.decode()
    assert cancelled.count('data-testid="order-row"') == 1
    assert first.number in cancelled
    assert second.number not in cancelled
    assert page_of(member).get("/orders/all").status_code == 403


def test_managers_make_the_webhook_secret_shown_once(tenant, owner, page_of):
    client = page_of(owner, reauthenticated=True)
    response = client.post("/orders/all", {"action": "rotate-secret"}, follow=True)
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        secret = PaymentSecret.objects.get().secret
    assert f'<code data-testid="new-secret">{secret}</code>' in response.content.decode()
    assert secret not in client.get("/orders/all").content.decode()


def test_cancel_returns_the_stock(tenant, member, page_of, tea):
    order = place(tenant, member, tea, 4)
    client = page_of(member)
    html = client.get(f"/orders/{order.pk}").content.decode()
    assert 'data-testid="cancel-order"' in html
    response = client.post(f"/orders/{order.pk}", {"action": "cancel"}, follow=True)
    assert messages_of(response) == [f"Order {order.number} cancelled."]
    assert orders_of(tenant) == [("cancelled", 2000)]
    assert stock_of(tenant, tea.pk) == 10
    assert 'data-testid="cancel-order"' not in response.content.decode()


def test_demo_pay_marks_the_order_paid(tenant, member, page_of, tea, settings):
    settings.KURA_DEMO_PAYMENTS = True
    order = place(tenant, member, tea, 2)
    client = page_of(member)
    html = client.get(f"/orders/{order.pk}").content.decode()
    expires = timezone.localtime(order.expires_at).isoformat(timespec="seconds")
    assert f'<dd data-testid="countdown"><time datetime="{expires}" data-countdown' in html
    assert 'data-testid="pay-demo"' in html
    response = client.post(f"/orders/{order.pk}", {"action": "pay"}, follow=True)
    assert messages_of(response) == [f"Paid (demo): order {order.number}."]
    assert '<dd data-testid="order-state">Paid</dd>' in response.content.decode()
    assert orders_of(tenant) == [("paid", 1000)]
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        event = PaymentEvent.objects.get()
        assert (event.amount, event.outcome, event.reference) == (1000, "paid", "demo")
        assert PaymentSecret.objects.count() == 1
        assert Notification.objects.filter(user=member.user).count() == 1


def test_without_demo_payments_there_is_no_pay_button(tenant, member, page_of, tea, settings):
    settings.KURA_DEMO_PAYMENTS = False
    order = place(tenant, member, tea, 1)
    client = page_of(member)
    assert 'data-testid="pay-demo"' not in client.get(f"/orders/{order.pk}").content.decode()
    assert client.post(f"/orders/{order.pk}", {"action": "pay"}).status_code == 403
    assert orders_of(tenant) == [("pending_payment", 500)]


def test_another_companys_order_is_not_found(tenant, other_tenant, page_of, member):
    outsider = MembershipFactory(tenant=other_tenant)
    product = make_product(other_tenant, name="他社", price=1, stock=5)
    theirs = place(other_tenant, outsider, product, 1)
    assert orders_of(tenant) == []
    assert page_of(member).get(f"/orders/{theirs.pk}").status_code == 404


def test_someone_elses_order_is_not_found_for_a_member(tenant, member, page_of, tea):
    other = place(tenant, MembershipFactory(tenant=tenant), tea, 1)
    assert page_of(member).get(f"/orders/{other.pk}").status_code == 404


@pytest.mark.parametrize("orders", [1, 6])
def test_orders_page_queries_do_not_grow_with_orders(  # noqa: PLR0917 (fixtures)
    tenant, member, page_of, tea, orders, django_assert_num_queries
):
    for n in range(orders):
        place(tenant, member, tea, 1, key=f"k{n}")
    client = page_of(member)
    client.get("/orders")  # the session and access caches warm
    # Session, person, membership; the tenant's host; the page of orders (with buyers),
    # their lines and their tax lines; plus the two `SET search_path`.
    with django_assert_num_queries(9):
        assert client.get("/orders").status_code == 200


@pytest.mark.parametrize("products", [1, 6])
def test_cart_page_queries_do_not_grow_with_lines(
    tenant, member, page_of, products, django_assert_num_queries
):
    client = page_of(member)
    for n in range(products):
        product = make_product(tenant, name=f"p{n}", price=10, stock=5)
        client.post("/cart/add", {"product": product.pk, "quantity": 1})
    client.get("/cart")
    # Session, person, membership; the tenant's host; the cart's products in one and their
    # images (the thumbnails) in one; plus the two `SET search_path`.
    with django_assert_num_queries(8):
        assert client.get("/cart").status_code == 200
