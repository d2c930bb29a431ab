"""The delayed queue's depth for /metrics (apps.core.metrics), read at scrape time."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from apps.jobs.selectors import job_counts_by_state


class JobsCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily(
            "kura_jobs",
            "Delayed jobs of every tenant by state (dead: given up, waiting for an operator).",
            labels=["state"],
        )
        for state, count in job_counts_by_state().items():
            jobs.add_metric([state], count)
        yield jobs
