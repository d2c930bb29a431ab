from django.urls import path

from apps.notifications import apis, views

api_patterns = [
    path("notifications", apis.NotificationListApi.as_view(), name="notifications-api"),
    path(
        "notifications/read-all",
        apis.NotificationReadAllApi.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read",
        apis.NotificationReadApi.as_view(),
        name="notification-read",
    ),
]
page_patterns = [
    path("notifications", views.notifications_view, name="notifications"),
    path("notifications/bell", views.notifications_bell_view, name="notifications-bell"),
    path(
        "notifications/<int:notification_id>",
        views.notification_open_view,
        name="notification-open",
    ),
]
