"""Sign-in: password hashing, JWT for the API, lockout, OpenID Connect, rate limits."""

from datetime import timedelta

from config.settings.environment import env

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Accepted for imported accounts; re-hashed with Argon2 at their next sign-in.
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "apps.accounts.oidc.KuraOIDCBackend",
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        seconds=env.int("KURA_ACCESS_TOKEN_SECONDS", default=15 * 60)
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(
        seconds=env.int("KURA_REFRESH_TOKEN_SECONDS", default=7 * 24 * 3600)
    ),
    # One symmetric algorithm, allow-listed: tokens naming any other (or "none") are refused.
    "ALGORITHM": "HS256",
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "AUTH_TOKEN_CLASSES": ("apps.accounts.tokens.KuraAccessToken",),
    "UPDATE_LAST_LOGIN": False,
    "LEEWAY": 0,
    # Checked on every token (apps/accounts/tokens.py): who issued it, for what.
    "ISSUER": env("KURA_JWT_ISSUER", default="kura"),
    "AUDIENCE": env("KURA_JWT_AUDIENCE", default="kura-api"),
}

# A key of its own lets tokens be rotated without logging everyone out of the web UI;
# without one (development), tokens are signed with SECRET_KEY. Rotation: the new key in
# KURA_JWT_SIGNING_KEY, the old ones in KURA_JWT_PREVIOUS_KEYS until their tokens expired.
if env("KURA_JWT_SIGNING_KEY", default=""):
    SIMPLE_JWT["SIGNING_KEY"] = env("KURA_JWT_SIGNING_KEY")
JWT_PREVIOUS_KEYS = env.list("KURA_JWT_PREVIOUS_KEYS", default=[])
# A refresh token presented again within this many seconds gets the same new pair (a lost
# answer, two tabs at once); later, it revokes the sign-in as stolen.
REFRESH_RETRY_SECONDS = env.int("KURA_REFRESH_RETRY_SECONDS", default=10)

# After this many failed sign-ins for one email from one address within the window, that
# (email, address) is locked: LOGIN_LOCK_BASE_SECONDS, doubling with each lock that day, up
# to LOGIN_LOCK_SECONDS. One address may fail LOGIN_IP_FAILURE_LIMIT times a window
# (apps/accounts/lockout.py).
LOGIN_FAILURE_LIMIT = env.int("KURA_LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("KURA_LOGIN_IP_FAILURE_LIMIT", default=30)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("KURA_LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
LOGIN_LOCK_BASE_SECONDS = env.int("KURA_LOGIN_LOCK_BASE_SECONDS", default=60)
LOGIN_LOCK_SECONDS = env.int("KURA_LOGIN_LOCK_SECONDS", default=15 * 60)

# API rate limits: a plan's numbers are requests per this window.
THROTTLE_WINDOW_SECONDS = env.int("KURA_THROTTLE_WINDOW_SECONDS", default=60)

INVITATION_LIFETIME = timedelta(days=env.int("KURA_INVITATION_DAYS", default=7))

# OpenID Connect sign-in (mozilla-django-oidc). Off unless an issuer is configured; the
# endpoints come from the issuer's discovery document (apps/accounts/oidc.py).
OIDC_ISSUER = env("KURA_OIDC_ISSUER", default="")
OIDC_PROVIDER_NAME = env("KURA_OIDC_PROVIDER_NAME", default="OpenID Connect")
OIDC_RP_CLIENT_ID = env("KURA_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("KURA_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_CREATE_USER = False  # link to existing accounts only
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login"
LOGIN_REDIRECT_URL_FAILURE = "/login?oidc=failed"

# Password reset links (Django's PasswordResetTokenGenerator) work for this many seconds,
# once: they are bound to the account's password hash and last sign-in.
PASSWORD_RESET_TIMEOUT = env.int("KURA_PASSWORD_RESET_SECONDS", default=3600)
# People who signed up may use everything at once; after this many days without opening
# the emailed verification link they can no longer invite people or create API keys.
EMAIL_VERIFY_GRACE_DAYS = env.int("KURA_EMAIL_VERIFY_GRACE_DAYS", default=7)
# Creating API keys, changing roles, removing people, rotating the payment webhook secret and
# deleting the company need a password (or a sign-in) within this many seconds.
REAUTH_SECONDS = env.int("KURA_REAUTH_SECONDS", default=10 * 60)
# A web session ends after this long without a request, and this long after its sign-in
# whatever happens (apps/accounts/middleware.py::SessionLimitsMiddleware).
SESSION_IDLE_SECONDS = env.int("KURA_SESSION_IDLE_SECONDS", default=2 * 3600)
SESSION_ABSOLUTE_SECONDS = env.int("KURA_SESSION_ABSOLUTE_SECONDS", default=14 * 24 * 3600)
# Sessions live in the database with who, where from and which browser (django-qsessions);
# the cookie lasts no longer than the absolute limit.
SESSION_ENGINE = "qsessions.backends.db"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# A deleted company's data is dropped this many days later, unless operators restore it.
COMPANY_DELETE_DAYS = env.int("KURA_COMPANY_DELETE_DAYS", default=30)
# Two-factor sign-in (django-otp). The name authenticator apps show for Kura's entries.
OTP_TOTP_ISSUER = env("KURA_TWO_FACTOR_ISSUER", default="Kura")
# A sign-in whose password was right waits this long for its second-step code...
TWO_FACTOR_PENDING_SECONDS = env.int("KURA_TWO_FACTOR_PENDING_SECONDS", default=5 * 60)
# ...and ends after this many wrong codes (django-otp also slows each device's failures).
TWO_FACTOR_PENDING_ATTEMPTS = env.int("KURA_TWO_FACTOR_PENDING_ATTEMPTS", default=5)
