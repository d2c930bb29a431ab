"""Tests: the same real services as development, on their own Redis databases and prefixes."""

import atexit
import os
import secrets
import shutil
import tempfile

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *
from config.settings.environment import REDIS_PORT, env

# A slot of its own for each test run that shares the services with others at the same time
# (worktrees side by side; 0 is the ordinary run): its own database, Redis databases and
# object-key prefix. Each pytest-xdist worker takes the slots after the run's own (gw0 the
# next one, gw1 the one after), so the workers and the run that started them never share;
# the worker, beat and web processes a worker starts inherit PYTEST_XDIST_WORKER and land
# on the same slot. Redis has 64 databases (scripts/services/redis.sh): 10-12 for slot 0,
# 13-15 for the benchmarks (bench/servers.py), three each from 16 for slots 1 to 16.
TEST_SLOT = env.int("KURA_TEST_SLOT", default=0)
_XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
if _XDIST_WORKER:
    TEST_SLOT += 1 + int(_XDIST_WORKER.removeprefix("gw"))
_REDIS_BASE = 16 + 3 * (TEST_SLOT - 1) if TEST_SLOT else 10
_REDIS_DATABASES = 64
if _REDIS_BASE + 2 >= _REDIS_DATABASES:
    raise ImproperlyConfigured(
        f"Test slot {TEST_SLOT} has no Redis databases (KURA_TEST_SLOT plus the xdist "
        "workers must stay within slots 0 to 16)."
    )
# prometheus-client's multiprocess mode (apps/core/metrics.py), as in `make run`: a test run
# and the worker and web processes it starts (they inherit the environment) share a folder,
# new for each slot and removed by the process that made it (a temporary one: mypy loads
# these settings too, and exits without running atexit). An xdist worker inherits the
# folder of the run that started it and makes its own, so workers never count each
# other's requests. Set before apps are imported.
if os.environ.get("KURA_TEST_METRICS_SLOT") != str(TEST_SLOT):
    METRICS_DIR = tempfile.mkdtemp(prefix="kura-test-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = METRICS_DIR
    os.environ["KURA_TEST_METRICS_SLOT"] = str(TEST_SLOT)
    atexit.register(shutil.rmtree, METRICS_DIR, ignore_errors=True)
if TEST_SLOT:
    DATABASES["default"]["TEST"] = {"NAME": f"test_kura_slot{TEST_SLOT}"}

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Separate Redis databases keep a running `make run` worker from taking test tasks.
REDIS_URL = env("TEST_REDIS_URL", default=f"redis://127.0.0.1:{REDIS_PORT}/{_REDIS_BASE}")
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = env(
    "TEST_CELERY_BROKER_URL", default=f"redis://127.0.0.1:{REDIS_PORT}/{_REDIS_BASE + 1}"
)
CELERY_RESULT_BACKEND = env(
    "TEST_CELERY_RESULT_BACKEND", default=f"redis://127.0.0.1:{REDIS_PORT}/{_REDIS_BASE + 2}"
)
# A prefix of its own for each test run (worker processes inherit it, tests/processes.py), so
# runs side by side never meet in Elasticsearch; tests/search/conftest.py deletes its indices.
ELASTICSEARCH_INDEX_PREFIX = env(
    "ELASTICSEARCH_INDEX_PREFIX", default=f"kura-test-{secrets.token_hex(4)}"
)
KURA_OBJECT_KEY_PREFIX = f"test-tenants{TEST_SLOT or ''}"
# A bucket of its own for each slot, made empty at the start of the run and emptied (and
# removed, where the store can) at its end (tests/conftest.py): what a development instance
# leaves in its bucket (an upload cut half-way, say) can never fail the suite, nor the
# suite's leftovers a development instance. The processes a run starts inherit the slot.
AWS_STORAGE_BUCKET_NAME = env("TEST_AWS_STORAGE_BUCKET_NAME", default=f"kura-test-{TEST_SLOT}")
DATABASES["default"]["CONN_MAX_AGE"] = 0

# django-otp makes each device wait after a wrong code (1 s, doubling): tests would sleep
# through it. The tests of that throttle set the factor back for themselves.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Short enough for tests with real workers to see leases expire and retries back off.
JOBS_LEASE_SECONDS = 4
JOBS_RETRY_BASE_SECONDS = 0.3
JOBS_RESEND_AFTER_SECONDS = 2

# The web process of the browser tests serves static/ as it is (production collects it).
WHITENOISE_USE_FINDERS = True
