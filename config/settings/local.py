"""Development: `make run`."""

from config.settings.base import *
from config.settings.environment import env

DEBUG = True
KURA_DEMO_PAYMENTS = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PUBLIC_PORT = env.int("KURA_PUBLIC_PORT", default=8000)  # `make run`'s web server
