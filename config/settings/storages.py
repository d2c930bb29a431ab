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
