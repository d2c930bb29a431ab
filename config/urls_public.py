"""URLs of the public site, the bare BASE_DOMAIN: landing page, signup, finding one's
companies, the language switch, operators' admin."""

from django.contrib import admin
from django.urls import path

from apps.accounts import urls as accounts_urls
from apps.accounts.forms import OperatorLoginForm
from apps.tenants import views as tenant_views

# Operators sign in through the same password check (and limits) as everyone else.
admin.site.login_form = OperatorLoginForm

urlpatterns = [
    path("", tenant_views.LandingView.as_view(), name="landing"),
    *accounts_urls.public_patterns,
    path("admin/", admin.site.urls),
]

handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
