from django.urls import path

from apps.reminders import apis, views

api_patterns = [
    path("reminders", apis.ReminderListApi.as_view(), name="reminders-api"),
    path("reminders/<int:reminder_id>", apis.ReminderDetailApi.as_view(), name="reminder-api"),
]
page_patterns = [
    path("reminders", views.reminders_view, name="reminders"),
]
