"""Object storage (django-storages on any S3-compatible service)."""

from config.settings.environment import S3_PORT, env

AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=f"http://127.0.0.1:{S3_PORT}")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default="kura-dev-access-key")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default="kura-dev-secret-key-unsafe")
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="kura")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default="path")
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
# Pre-signed URLs live 15 minutes (the customer's design).
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=15 * 60)
# Every object key of a tenant starts with this prefix and the tenant's schema name.
KURA_OBJECT_KEY_PREFIX = env("KURA_OBJECT_KEY_PREFIX", default="tenants")

# --- Uploads (apps.files) -----------------------------------------------------------------
MIB = 1024 * 1024
# Up to this size a file is sent in one pre-signed PUT; above it, as a multipart upload.
FILES_SINGLE_PUT_MAX_BYTES = 16 * MIB
# Multipart parts: S3 takes at least 5 MiB (except the last) and at most 10,000 parts; the
# part size grows from the default to keep a large file under that count.
FILES_PART_BYTES = env.int("KURA_FILES_PART_BYTES", default=8 * MIB)
FILES_MIN_PART_BYTES = 5 * MIB
FILES_MAX_PARTS = 10_000
# Part URLs handed out in one call (a client asks again for the next ones).
FILES_PART_URLS_PER_CALL = 500
# The one pre-signed PUT of a small file: S3 cannot revoke it, and it stays good on its key
# after the upload completes (what it sends then is never read, and swept), so it lives
# only as long as a client needs to begin sending (the store checks expiry when a request
# begins; the uploader sends right after asking). Part URLs live AWS_QUERYSTRING_EXPIRE:
# the completion ends their upload id.
FILES_PUT_URL_EXPIRE = env.int("KURA_FILES_PUT_URL_EXPIRE", default=5 * 60)
# Downloads and the display and thumbnail images: pre-signed GETs this short-lived.
FILES_DOWNLOAD_EXPIRE = env.int("KURA_FILES_DOWNLOAD_EXPIRE", default=5 * 60)
# A CDN in front of the store for the display and thumbnail images (README, "Putting a CDN
# in front"): its origin, e.g. https://cdn.example.com; empty, they come from the store.
FILES_DERIVATIVES_URL = env("KURA_FILES_DERIVATIVES_URL", default="")
# Previews of PDFs (apps/files/documents.py): pages, the first page's longer side in points,
# and the time and memory the renderer may take before it is killed.
KURA_PDF_MAX_PAGES = env.int("KURA_PDF_MAX_PAGES", default=2_000)
KURA_PDF_MAX_POINTS = env.int("KURA_PDF_MAX_POINTS", default=14_400)
KURA_PREVIEW_SECONDS = env.int("KURA_PREVIEW_SECONDS", default=20)
KURA_PREVIEW_MEMORY_BYTES = env.int("KURA_PREVIEW_MEMORY_BYTES", default=1024 * MIB)
# clamd takes a stream of at most its StreamMaxLength (100M here, 4G at most), and a
# Celery task has CELERY_TASK_SOFT_TIME_LIMIT: a large file is scanned in windows that
# overlap (so a signature across a boundary is seen whole), a few windows per job run.
FILES_SCAN_WINDOW_BYTES = env.int("KURA_FILES_SCAN_WINDOW_BYTES", default=64 * MIB)
FILES_SCAN_OVERLAP_BYTES = 1 * MIB
FILES_SCAN_BYTES_PER_JOB = env.int("KURA_FILES_SCAN_BYTES_PER_JOB", default=512 * MIB)
# A scan that cannot run (clamd down) is retried with backoff for about an hour and a half,
# then the file is rejected: nothing unscanned is ever served.
FILES_SCAN_MAX_ATTEMPTS = 10
# Lifecycle (the beat sweep, and `manage.py storage_lifecycle` where the store has rules):
# uploads left unfinished this long are aborted, quarantined objects this old removed.
FILES_ABANDONED_AFTER_HOURS = 24
FILES_INCOMING_MAX_AGE_HOURS = 24
# An upload nothing was sent to holds its size of the company's quota this long (from its
# start, or from its last request for part URLs); then the sweep aborts it.
FILES_UNSTARTED_UPLOAD_SECONDS = env.int("KURA_FILES_UNSTARTED_UPLOAD_SECONDS", default=3600)
# Uploads a person or API key may have open (begun, not completed or aborted) at once.
FILES_MAX_OPEN_UPLOADS = env.int("KURA_FILES_MAX_OPEN_UPLOADS", default=10)
# A multipart upload the database does not know is aborted only after this long: the first
# parts call begins it a moment before the row that records it commits.
FILES_ORPHAN_GRACE_SECONDS = 3600
# What may be uploaded: real types (from the first bytes; apps/files/sniffing.py knows the
# extensions each may be named with). SVG, HTML and executables are never among them.
KURA_UPLOAD_ALLOWED_TYPES = env.list(
    "KURA_UPLOAD_ALLOWED_TYPES",
    default=[
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "image/heic",
        "image/heif",
        "image/avif",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "text/plain",
        "application/zip",
        "video/mp4",
    ],
)
