from django.urls import path

from apps.audit import views

page_patterns = [
    path("audit", views.audit_view, name="audit"),
]
