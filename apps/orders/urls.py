from django.urls import path

from apps.orders import apis, views

api_patterns = [
    path("orders", apis.OrderListApi.as_view(), name="orders-api"),
    path("orders/<int:order_id>", apis.OrderDetailApi.as_view(), name="order-api"),
    path("orders/<int:order_id>/cancel", apis.OrderCancelApi.as_view(), name="order-cancel-api"),
    path("orders/<int:order_id>/invoice", apis.OrderInvoiceApi.as_view(), name="order-invoice-api"),
    path("invoice-settings", apis.InvoiceSettingsApi.as_view(), name="invoice-settings-api"),
    path("payments/webhook", apis.PaymentWebhookApi.as_view(), name="payments-webhook"),
    path("payments/secret", apis.PaymentSecretApi.as_view(), name="payments-secret"),
]
page_patterns = [
    path("cart", views.cart_view, name="cart"),
    path("cart/add", views.cart_add_view, name="cart-add"),
    path("orders", views.orders_view, name="orders"),
    path("orders/all", views.orders_all_view, name="orders-all"),
    path("orders/invoice-settings", views.invoice_settings_view, name="invoice-settings"),
    path("orders/<int:order_id>", views.order_view, name="order"),
    path("orders/<int:order_id>/invoice", views.invoice_view, name="order-invoice"),
]
