"""URLs of a tenant's host, <slug>.<BASE_DOMAIN>: the web UI and the REST API."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts import urls as accounts_urls
from apps.catalog import urls as catalog_urls
from apps.core import views as core_views
from apps.files import urls as files_urls
from apps.notifications import urls as notifications_urls
from apps.orders import urls as orders_urls
from apps.posts import urls as posts_urls
from apps.reminders import urls as reminders_urls
from apps.search import urls as search_urls
from apps.tenants.apis import TenantDetailApi
from apps.usage import urls as usage_urls

api_patterns = [
    *accounts_urls.api_patterns,
    *reminders_urls.api_patterns,
    *notifications_urls.api_patterns,
    *files_urls.api_patterns,
    *posts_urls.api_patterns,
    *catalog_urls.api_patterns,
    *search_urls.api_patterns,
    *orders_urls.api_patterns,
    path("tenant", TenantDetailApi.as_view(), name="tenant-detail"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
# Last under /api/ and /auth/: what no pattern above matched.
not_found = re_path(r"^(?P<path>.*)$", core_views.api_not_found, name="api-not-found")

urlpatterns = [
    path("", core_views.TenantHomeView.as_view(), name="home"),
    path("auth/", include([*accounts_urls.auth_api_patterns, not_found])),
    path("api/", include([*api_patterns, not_found])),
    *accounts_urls.page_patterns,
    *reminders_urls.page_patterns,
    *notifications_urls.page_patterns,
    *files_urls.page_patterns,
    *posts_urls.page_patterns,
    *catalog_urls.page_patterns,
    *orders_urls.page_patterns,
    *usage_urls.page_patterns,
]

handler400 = "apps.core.views.bad_request"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
