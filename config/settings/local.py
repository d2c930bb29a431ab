"""Development: `make run`."""

from typing import cast

from config.settings.base import *
from config.settings.environment import env

DEBUG = True
KURA_DEMO_PAYMENTS = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PUBLIC_PORT = env.int("KURA_PUBLIC_PORT", default=8000)  # `make run`'s web server

# `make run` serves with gunicorn as production does (Procfile, config/gunicorn.py), so what
# runserver did for a developer is done here. Static files: found where they are written
# (static/, each app's), looked up afresh on each request, by WhiteNoise.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Templates read afresh on every render: Django's cached loader is emptied only by
# runserver's reloader, and gunicorn's --reload restarts on Python files only.
TEMPLATES = [
    {
        **TEMPLATES[0],
        "APP_DIRS": False,
        "OPTIONS": {
            **cast(dict[str, object], TEMPLATES[0]["OPTIONS"]),
            "loaders": [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        },
    }
]
