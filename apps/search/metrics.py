"""The search outbox for /metrics (apps.core.metrics), read at scrape time: the figures
/readyz reports as its backlog."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from apps.search.selectors import outbox_lag


class OutboxCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        lag = outbox_lag()
        yield GaugeMetricFamily(
            "kura_search_outbox_waiting",
            "Search outbox entries not yet in the index.",
            value=lag["waiting"],
        )
        yield GaugeMetricFamily(
            "kura_search_outbox_oldest_seconds",
            "Age of the oldest search outbox entry (0 when the outbox is empty).",
            value=lag["oldest_seconds"] or 0.0,
        )
