"""URLs of the public site, the bare BASE_DOMAIN: landing page, signup, finding one's
companies, the language switch, operators' admin."""

from django.contrib import admin
from django.urls import path

from apps.accounts import urls as accounts_urls
from apps.tenants import views as tenant_views

# `admin.site` is the operators' site, which asks for a second factor
# (apps/accounts/admin_site.py, installed by apps/accounts/operators.py).
urlpatterns = [
    path("", tenant_views.LandingView.as_view(), name="landing"),
    *accounts_urls.public_patterns,
    path("admin/", admin.site.urls),
]

handler400 = "apps.core.views.bad_request"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
