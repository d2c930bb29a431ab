"""Elasticsearch (django-elasticsearch-dsl)."""

from config.settings.environment import ES_PORT, env

ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default=f"http://127.0.0.1:{ES_PORT}")
ELASTICSEARCH_DSL = {
    "default": {"hosts": ELASTICSEARCH_URL, "request_timeout": 10},
}
# Index names start with this, so several environments can share one cluster.
ELASTICSEARCH_INDEX_PREFIX = env("ELASTICSEARCH_INDEX_PREFIX", default="kura")
# Documents reach the index through the outbox, never from model signals.
ELASTICSEARCH_DSL_AUTOSYNC = False
ELASTICSEARCH_DSL_AUTO_REFRESH = False
# The outbox drain (apps.search.sync): entries claimed per batch, and how long one task
# keeps draining a backlog before it leaves the rest to the next.
SEARCH_OUTBOX_BATCH = env.int("KURA_SEARCH_OUTBOX_BATCH", default=2000)
SEARCH_OUTBOX_TASK_SECONDS = env.float("KURA_SEARCH_OUTBOX_TASK_SECONDS", default=20.0)
# Which index a company's documents live in is cached this long in each process; a move to
# or from a dedicated index waits as long before it removes the documents it moved.
SEARCH_INDEX_CACHE_SECONDS = env.float("KURA_SEARCH_INDEX_CACHE_SECONDS", default=5.0)
# Products read from PostgreSQL and sent to Elasticsearch at once by a reindex or a move.
SEARCH_REINDEX_CHUNK = env.int("KURA_SEARCH_REINDEX_CHUNK", default=1000)
