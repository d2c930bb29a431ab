"""URLs of the public site, the bare BASE_DOMAIN: landing page, signup, operators' admin."""

from django.contrib import admin
from django.urls import include, path

from apps.accounts import views as account_views
from apps.accounts.forms import OperatorLoginForm
from apps.tenants import views as tenant_views

# Operators sign in through the same password check (and limits) as everyone else.
admin.site.login_form = OperatorLoginForm

urlpatterns = [
    path("", tenant_views.LandingView.as_view(), name="landing"),
    path("signup", account_views.signup_view, name="signup"),
    path("unlock", account_views.unlock_view, name="unlock"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
