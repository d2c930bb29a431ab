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
