"""Real processes for tests, on the test broker and database: Celery workers and beat, and
the web app itself for browser tests."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
# One folder for each pytest-xdist worker (gw0, gw1...; "main" without xdist): its worker,
# beat and web processes log there, and beat keeps its schedule and pid file there.
LOGS = ROOT / ".data" / "test-logs" / os.environ.get("PYTEST_XDIST_WORKER", "main")
CELERY = ["-m", "celery", "-A", "config"]
# Modules only the test worker loads: a task and job handlers that exist for tests.
TEST_MODULES = "tests.core.worker_tasks,tests.jobs.handlers"


class Process:
    """A child of the test run, its output in .data/test-logs/<xdist worker>/<name>.log."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        LOGS.mkdir(parents=True, exist_ok=True)
        with (LOGS / f"{self.name}.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, *self.argv],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, as when a machine dies."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def worker(env: dict[str, str], name: str = "worker") -> Process:
    argv = [*CELERY, "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip"]
    argv += ["--without-mingle", f"--include={TEST_MODULES}", f"--hostname={name}@%h"]
    return Process(name, argv, env)


def beat(env: dict[str, str], name: str = "beat") -> Process:
    LOGS.mkdir(parents=True, exist_ok=True)
    argv = [*CELERY, "beat", "--loglevel=INFO", f"--schedule={LOGS / name}-schedule"]
    return Process(name, [*argv, f"--pidfile={LOGS / name}.pid"], env)


def web(env: dict[str, str], port: int, name: str = "web") -> Process:
    """Django's threaded server on loopback."""
    return Process(name, ["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env)


def wait_for_worker(process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not app.control.ping(timeout=0.5):
        if not process.alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the Celery worker did not start; see {LOGS / process.name}.log")


def test_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        # The test run's own index names (config/settings/test.py draws them at random).
        "ELASTICSEARCH_INDEX_PREFIX": settings.ELASTICSEARCH_INDEX_PREFIX,
        # The run's beat must not flush or snapshot usage behind the tests that do it
        # themselves (tests/usage): the counters are the tests' Redis database too.
        "KURA_USAGE_FLUSH_SECONDS": "86400",
        "KURA_USAGE_SNAPSHOT_SECONDS": "86400",
    }
