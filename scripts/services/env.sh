# Loopback ports and locations of the development services. Sourced by the service scripts
# and by the Makefile; Django reads the same names (see config/settings/base.py). Ports are
# off the usual defaults so a developer's own PostgreSQL or Redis is never touched.
: "${KURA_DATA:=$KURA_ROOT/.data}"
: "${KURA_PG_PORT:=55432}"
: "${KURA_REDIS_PORT:=56379}"
: "${KURA_ES_PORT:=59200}"
: "${KURA_S3_PORT:=58333}"
: "${KURA_CLAMD_PORT:=53310}"
: "${KURA_S3_ACCESS_KEY:=kura-dev-access-key}"
: "${KURA_S3_SECRET_KEY:=kura-dev-secret-key-unsafe}"
: "${KURA_S3_BUCKET:=kura}"
export KURA_DATA KURA_PG_PORT KURA_REDIS_PORT KURA_ES_PORT KURA_S3_PORT KURA_CLAMD_PORT \
  KURA_S3_ACCESS_KEY KURA_S3_SECRET_KEY KURA_S3_BUCKET
