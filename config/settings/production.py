"""Production: everything comes from the environment; unsafe defaults are refused.

The default settings of manage.py, wsgi, asgi and Celery; `make run` and `make test` choose
`local` and `test` themselves.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *
from config.settings.base import DEV_SECRET_KEY, SECRET_KEY, env

DEVELOPMENT_HINT = "(for development, DJANGO_SETTINGS_MODULE=config.settings.local)"
MIN_SECRET_KEY_LENGTH = 50
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY must be set to a long random value in production {DEVELOPMENT_HINT}."
    )
# Access tokens are signed with their own key: one that leaked or was guessed would let
# anyone mint tokens for any member of any tenant. simplejwt falls back to SECRET_KEY.
MIN_JWT_SIGNING_KEY_BYTES = 32
JWT_SIGNING_KEY = str(SIMPLE_JWT.get("SIGNING_KEY") or "")
if len(JWT_SIGNING_KEY.encode()) < MIN_JWT_SIGNING_KEY_BYTES:
    raise ImproperlyConfigured(
        "KURA_JWT_SIGNING_KEY must be set to a random value of at least "
        f"{MIN_JWT_SIGNING_KEY_BYTES} bytes in production."
    )
if JWT_SIGNING_KEY == SECRET_KEY:
    raise ImproperlyConfigured("KURA_JWT_SIGNING_KEY must differ from DJANGO_SECRET_KEY.")
if AWS_SECRET_ACCESS_KEY == "kura-dev-secret-key-unsafe":  # noqa: S105
    raise ImproperlyConfigured("AWS_SECRET_ACCESS_KEY must be set in production.")

DEBUG = False
PUBLIC_SCHEME = env("KURA_PUBLIC_SCHEME", default="https")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Off only where the site is plain http and nobody else's (docker-compose on loopback):
# browsers may drop https-only cookies there, and nobody could sign in.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# `manage.py collectstatic` fills STATIC_ROOT with hashed, compressed copies (the image
# does it at build time); WhiteNoise serves them with far-future cache headers.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(STATIC_ROOT)))
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"
