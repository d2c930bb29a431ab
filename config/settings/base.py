"""Settings shared by every environment; each value can come from the environment.

Development defaults point at the loopback services started by scripts/services.sh
(ports in scripts/services/env.sh). `production` refuses the unsafe defaults.
"""

from django.utils.translation import gettext_lazy as _

from config.settings.environment import BASE_DIR, CLAMD_PORT, PG_PORT, REDIS_PORT, env

DEV_SECRET_KEY = "django-insecure-kura-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Tenants live at <slug>.<BASE_DOMAIN>; the bare BASE_DOMAIN is the public site.
BASE_DOMAIN = env("KURA_BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])
# How people reach those hosts (the scheme and port of the proxy in front, if any): emailed
# links and redirects to another host are built from these (apps/core/hosts.py), never from
# a request's Host header, whose port ALLOWED_HOSTS does not check. 0: the scheme's own port.
PUBLIC_SCHEME = env("KURA_PUBLIC_SCHEME", default="http")
PUBLIC_PORT = env.int("KURA_PUBLIC_PORT", default=0)

SHARED_APPS = [
    "django_tenants",
    "apps.tenants",
    "apps.accounts",
    "apps.core",
    "apps.jobs",
    "apps.search",
    "apps.audit",
    "apps.usage",
    "apps.demo",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "qsessions",  # django.contrib.sessions with person, address and user agent
    "django.contrib.messages",
    # The operators' admin asks for a second factor (apps.accounts.admin_site).
    "apps.accounts.operators.OperatorsAdminConfig",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mozilla_django_oidc",
    "django_htmx",
    "django_elasticsearch_dsl",
    # Two-factor devices belong to global accounts, so they live in the public schema.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "apps.files",
    "apps.reminders",
    "apps.posts",
    "apps.catalog",
    "apps.orders",
    "apps.notifications",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New tenants are cloned from this schema, kept migrated by `manage.py migrate_all`.
TENANT_BASE_SCHEMA = "tenant_template"
DEFAULT_NOT_FOUND_TENANT_VIEW = "apps.tenants.views.tenant_not_found"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Send `SET search_path` only when the schema changes, not before every query.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # Probes answer on any host (load balancers and orchestrators use bare IPs).
    "apps.core.middleware.HealthCheckMiddleware",
    # Request latency by route for /metrics (the probes above are not counted).
    "apps.core.metrics.RequestMetricsMiddleware",
    # Static files and the https redirect need no tenant: answered before the tenant lookup
    # (a database query), as WhiteNoise asks, on any host (as runserver served them).
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-tenants' routing by host (apps/tenants/middleware.py: with JSON for bad hosts).
    "apps.tenants.middleware.TenantHostMiddleware",
    # The caller's address for audit entries recorded while the request is served.
    "apps.audit.context.AuditContextMiddleware",
    "apps.accounts.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A deactivated company answers a refusal before any session, token or key is read.
    "apps.tenants.middleware.TenantOpenMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A body over the view's limit is refused before anything reads it (CSRF reads forms).
    "apps.core.middleware.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.SessionLimitsMiddleware",
    # request.user.otp_device: the device that verified this session's sign-in, if any.
    "django_otp.middleware.OTPMiddleware",
    "apps.accounts.middleware.MembershipMiddleware",
    # Members of a company that requires two-factor enrol before anything else.
    "apps.accounts.middleware.TwoFactorRequiredMiddleware",
    # Counts each request an API view of a company receives (apps.usage).
    "apps.usage.middleware.ApiRequestCountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.site",
                "apps.notifications.context_processors.bell",
                "apps.accounts.context_processors.perms",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"postgres://kura:kura@127.0.0.1:{PG_PORT}/kura"),
}
# django-tenants' backend, which also switches to DB_APP_ROLE inside a tenant, the role
# row-level security applies to (apps.tenants.rowsecurity). The role connecting here runs
# migrations and operator-wide work; it must own the tables (or be a superuser).
DATABASES["default"]["ENGINE"] = "apps.tenants.db"
DB_APP_ROLE = env("KURA_DB_APP_ROLE", default="kura_app")
# A dead database must fail a readiness probe quickly, not hang it.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default=f"redis://127.0.0.1:{REDIS_PORT}/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    },
}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The chosen language holds on the public site and every company's host alike. Browsers
# refuse a cookie for a one-label domain (`Domain=localhost` from test-alpha.localhost is
# dropped by Chromium), so there it stays on its host and the person's saved language
# (User.language) carries the choice across instead.
LANGUAGE_COOKIE_DOMAIN = env("KURA_LANGUAGE_COOKIE_DOMAIN", default="") or (
    f".{BASE_DOMAIN}" if "." in BASE_DOMAIN else None
)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# The largest request body a view reads, JSON or form (apps/core/bodies.py); a view where
# more is legitimate says how much (an import's file, an upload's 10,000 parts). Larger:
# 413 before any of it is read.
KURA_MAX_BODY_BYTES = env.int("KURA_MAX_BODY_BYTES", default=256 * 1024)
# Django's own check of form fields (files aside) and of request.body: the same limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = KURA_MAX_BODY_BYTES

# Pages ask for the notification bell again this often (htmx polling), in seconds.
KURA_BELL_POLL_SECONDS = env.int("KURA_BELL_POLL_SECONDS", default=30)
# The feed asks how many posts are new since it was loaded this often, in seconds.
KURA_FEED_POLL_SECONDS = env.int("KURA_FEED_POLL_SECONDS", default=30)

# An order waits this long for its payment, then expires and its stock returns.
KURA_ORDER_PAYMENT_MINUTES = env.int("KURA_ORDER_PAYMENT_MINUTES", default=15)
# The web UI's "Pay (demo)" button signs a payment with the company's own secret, so the
# whole flow can be tried without a provider: never in production.
KURA_DEMO_PAYMENTS = env.bool("KURA_DEMO_PAYMENTS", default=False)

# /readyz names what failed (hosts, ports) only on loopback or with this bearer token.
READYZ_TOKEN = env("KURA_READYZ_TOKEN", default="")

# The audit log's chain is an HMAC under this key (apps/audit/chain.py): someone who can write
# to the database but lacks it cannot forge a chain that verifies. Empty: derived from
# SECRET_KEY. Changing it makes `manage.py audit_verify` refuse every existing entry.
AUDIT_HASH_KEY = env("KURA_AUDIT_KEY", default="")

# Every upload is scanned by clamd before it is offered to anyone.
CLAMD_HOST = env("KURA_CLAMD_HOST", default="127.0.0.1")
CLAMD_PORT = env.int("KURA_CLAMD_PORT", default=CLAMD_PORT)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

from config.settings.api import *  # noqa: E402
from config.settings.auth import *  # noqa: E402
from config.settings.celery import *  # noqa: E402
from config.settings.search import *  # noqa: E402
from config.settings.storages import *  # noqa: E402
