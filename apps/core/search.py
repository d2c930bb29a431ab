"""The Elasticsearch client shared by readiness checks and, later, the search module."""

from django.conf import settings
from elasticsearch import Elasticsearch


def es_client(*, request_timeout: float = 10) -> Elasticsearch:
    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=request_timeout, max_retries=0)
