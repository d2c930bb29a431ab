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
# Celery's Django fixup closes the database connection around every task unless this is
# set; a worker then keeps its connection for about this many tasks. A new connection costs
# 9-16 ms on the shared 2-core machine (0.1-0.7 ms a query on a kept one): a wake-up that
# runs one job, or a sweep, paid that every time. 0 turns reuse off.
CELERY_DB_REUSE_MAX = env.int("KURA_CELERY_DB_REUSE_MAX", default=1000) or None
# Tenants are looked up once a minute per worker instead of on every task.
CELERY_TASK_TENANT_CACHE_SECONDS = 60

# The delayed queue (apps/jobs): job rows in PostgreSQL, ETA messages for what is due
# within the horizon, a beat sweep every second for the rest and for lost messages.
JOBS_HORIZON_SECONDS = env.int("KURA_JOBS_HORIZON_SECONDS", default=30)
JOBS_SWEEP_SECONDS = env.float("KURA_JOBS_SWEEP_SECONDS", default=1.0)
# One UPDATE of the sweep marks at most this many jobs; it repeats until none are left.
JOBS_SWEEP_BATCH = 2000
# A worker's wake-up claims at most this many due jobs (fairly across tenants) and runs
# them one by one; a worker that dies leaves that many waiting for their lease.
JOBS_CLAIM_BATCH = env.int("KURA_JOBS_CLAIM_BATCH", default=50)
# ... and claims again while jobs are due, for up to this long (other tasks wait meanwhile).
JOBS_RUN_DUE_SECONDS = env.float("KURA_JOBS_RUN_DUE_SECONDS", default=2.0)
JOBS_RESEND_AFTER_SECONDS = env.int("KURA_JOBS_RESEND_AFTER_SECONDS", default=3)
# Wake-up messages leave from a thread of their own after commit (apps/jobs/dispatch.py):
# scheduling costs the caller its INSERT only. False: sent by the committing thread itself.
JOBS_PUBLISH_IN_BACKGROUND = env.bool("KURA_JOBS_PUBLISH_IN_BACKGROUND", default=True)
JOBS_LEASE_SECONDS = env.int("KURA_JOBS_LEASE_SECONDS", default=300)
JOBS_MAX_ATTEMPTS = 5
JOBS_RETRY_BASE_SECONDS = env.float("KURA_JOBS_RETRY_BASE_SECONDS", default=10.0)
JOBS_RETRY_MAX_SECONDS = 3600
JOBS_KEEP_FINISHED_DAYS = env.int("KURA_JOBS_KEEP_FINISHED_DAYS", default=14)
# A job of a deactivated company is put back and looked at again after this long.
JOBS_INACTIVE_TENANT_WAIT_SECONDS = env.int("KURA_JOBS_INACTIVE_TENANT_WAIT_SECONDS", default=300)
# Uploads (apps.files): abandoned uploads aborted, quarantine emptied (apps.files.tasks).
FILES_SWEEP_SECONDS = env.float("KURA_FILES_SWEEP_SECONDS", default=3600.0)
# Search (apps.search.tasks): the outbox is drained on commit of each catalog change, and by
# this sweep for whatever that missed (a broker or Elasticsearch that was down).
SEARCH_OUTBOX_SWEEP_SECONDS = env.float("KURA_SEARCH_OUTBOX_SWEEP_SECONDS", default=2.0)
# Usage per company (apps.usage.tasks): API requests counted in Redis are added to the day's
# figures this often; jobs run, storage and search documents are taken this often.
USAGE_FLUSH_SECONDS = env.float("KURA_USAGE_FLUSH_SECONDS", default=60.0)
USAGE_SNAPSHOT_SECONDS = env.float("KURA_USAGE_SNAPSHOT_SECONDS", default=600.0)
# Revoked API sign-ins (apps.accounts.revocations): written back from PostgreSQL into Redis
# this often, so a Redis replica promoted while behind refuses them again within it.
REVOCATIONS_RESYNC_SECONDS = env.float("KURA_REVOCATIONS_RESYNC_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "jobs-sweep": {"task": "apps.jobs.tasks.job_sweep_task", "schedule": JOBS_SWEEP_SECONDS},
    "jobs-prune": {"task": "apps.jobs.tasks.jobs_prune_task", "schedule": 3600.0},
    "refresh-tokens-prune": {
        "task": "apps.accounts.tasks.refresh_tokens_prune_task",
        "schedule": 3600.0,
    },
    "revocations-resync": {
        "task": "apps.accounts.tasks.revocations_resync_task",
        "schedule": REVOCATIONS_RESYNC_SECONDS,
    },
    "files-sweep": {"task": "apps.files.tasks.files_sweep_task", "schedule": FILES_SWEEP_SECONDS},
    "search-outbox-drain": {
        "task": "apps.search.tasks.outbox_drain_task",
        "schedule": SEARCH_OUTBOX_SWEEP_SECONDS,
    },
    "usage-flush": {"task": "apps.usage.tasks.usage_flush_task", "schedule": USAGE_FLUSH_SECONDS},
    "usage-snapshot": {
        "task": "apps.usage.tasks.usage_snapshot_task",
        "schedule": USAGE_SNAPSHOT_SECONDS,
    },
}
