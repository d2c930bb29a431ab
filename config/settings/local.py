"""Development: `make run`."""

from config.settings.base import *

DEBUG = True
KURA_DEMO_PAYMENTS = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
