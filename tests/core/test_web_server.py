"""`make run`'s web server, started as the Procfile starts it: a hundred clients at once get
their pages, and it holds a bounded number of PostgreSQL connections (config/gunicorn.py)."""

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings

from bench.servers import ROOT, ConnectionWatch, free_port, make_run_web, stop
from tests.processes import LOGS

CLIENTS = 100
REQUESTS_EACH = 3
# config/gunicorn.py's defaults: 2 workers x 4 threads, one connection each at most.
MOST_CONNECTIONS = 2 * 4


@pytest.mark.slow
def test_make_run_serves_a_hundred_clients_on_a_bounded_number_of_connections(
    celery_env, tmp_path: Path
):
    application_name = f"kura-test-web-{uuid.uuid4().hex[:8]}"
    env = {name: value for name, value in celery_env.items() if name != "DJANGO_SETTINGS_MODULE"}
    for name in ("WEB_CONCURRENCY", "WEB_THREADS"):
        env.pop(name, None)  # make run's own sizes
    env.update(
        # The Procfile's settings (local) on the test run's database and Redis databases.
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_RESULT_BACKEND=settings.CELERY_RESULT_BACKEND,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        PGAPPNAME=application_name,  # libpq's: names the server's connections
    )
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    server = make_run_web(port, LOGS / "make-run-web.log", env)

    def client(_number: int) -> list[int]:
        with requests.Session() as session:
            return [
                session.get(
                    f"http://127.0.0.1:{port}/", headers={"Host": "localhost"}, timeout=60
                ).status_code
                for _ in range(REQUESTS_EACH)
            ]

    try:
        with ConnectionWatch(application_name) as connections:
            # Static files as runserver served them: where they are written, no collectstatic.
            css = requests.get(f"http://127.0.0.1:{port}/static/css/kura.css", timeout=30)
            with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                answers = list(pool.map(client, range(CLIENTS)))
            time.sleep(0.2)  # what the server still holds after the burst counts too
    finally:
        stop(server)
    statuses = Counter(status for each in answers for status in each)
    assert (css.status_code, css.content) == (200, (ROOT / "static/css/kura.css").read_bytes())
    assert statuses == {200: CLIENTS * REQUESTS_EACH}
    assert 1 <= connections.peak <= MOST_CONNECTIONS, f"{connections.peak} connections at once"
