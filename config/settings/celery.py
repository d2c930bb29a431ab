"""Celery: Redis broker, tenant-aware tasks (config/celery.py), safe delivery defaults."""

from config.settings.environment import REDIS_PORT, env

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=f"redis://127.0.0.1:{REDIS_PORT}/1")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=f"redis://127.0.0.1:{REDIS_PORT}/2")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only after it ran, and put back if its worker died mid-way;
# tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
# Redelivery of unacknowledged messages waits this long; ETA tasks must be due well before.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Tenants are looked up once a minute per worker instead of on every task.
CELERY_TASK_TENANT_CACHE_SECONDS = 60
