"""Prometheus metrics for operators: `/metrics` (answered by HealthCheckMiddleware).

Request latency and job lag are observed where they happen: in the web processes (several
gunicorn workers) and in the Celery workers. prometheus-client's multiprocess mode adds
them up: every process writes its samples to files in PROMETHEUS_MULTIPROC_DIR, and the
scrape reads them all. The directory is wiped before the processes start (`make run`,
docker-compose's migrate service) and must be set in the environment before this module
is imported. Without it (a shell, a benchmark) each process counts for itself.

Backlogs (the delayed queue's depth, the search outbox) are not stored: they are read from
PostgreSQL at scrape time, so every web process answers the same. The app that owns each
registers its collector here in its AppConfig.ready() (`scrape_collector_register`): core
knows no app above it.
"""

import os
import socket
import time
from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ

if MULTIPROCESS:
    # The files are named after the process id; containers sharing the directory (compose's
    # web, worker and beat) each have a pid 1, so the host name is part of the name too.
    _HOST = socket.gethostname().replace("_", "-")  # "_" separates the file name's parts
    values.ValueClass = values.MultiProcessValue(lambda: f"{_HOST}-{os.getpid()}")

# Bounded label values: the route's name (never the raw path) and a known method.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED = "<unresolved>"  # no route: 404s, unknown hosts

REQUEST_LATENCY = Histogram(
    "kura_http_request_duration_seconds",
    "Time from the first middleware after the probes to the response, by route and method.",
    ["view", "method"],
    registry=None,
)
JOB_LAG = Histogram(
    "kura_job_lag_seconds",
    "How late a delayed job started: claim time minus its run_at, by kind.",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
    registry=None,
)


def job_lag_observe(*, kind: str, run_at: datetime, claimed_at: datetime) -> None:
    # The claim lets a job start up to a second early (clock skew between processes):
    # early counts as on time, a negative lag would only pull the sum down.
    JOB_LAG.labels(kind=kind).observe(max((claimed_at - run_at).total_seconds(), 0.0))


class RequestMetricsMiddleware:
    """Times every request but the probes and labels it with the route it resolved to."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        REQUEST_LATENCY.labels(
            view=match.view_name if match is not None else UNRESOLVED,
            method=request.method if request.method in METHODS else "other",
        ).observe(time.perf_counter() - started)
        return response


_scrape_collectors: dict[str, Collector] = {}


def scrape_collector_register(name: str, collector: Collector) -> None:
    """Figures read at scrape time (what is waiting: jobs by state, the search outbox), from
    the app that owns them, in its AppConfig.ready(). Registering a name again replaces it."""
    _scrape_collectors[name] = collector


def metrics_response() -> HttpResponse:
    """The exposition: every process's samples (or this one's), then the backlogs."""
    registry = CollectorRegistry()
    if MULTIPROCESS:
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
        registry.register(JOB_LAG)
    for collector in _scrape_collectors.values():
        registry.register(collector)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
