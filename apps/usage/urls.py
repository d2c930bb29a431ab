from django.urls import URLPattern, path

from apps.usage import views

api_patterns: list[URLPattern] = []
page_patterns = [path("usage", views.usage_view, name="usage")]
