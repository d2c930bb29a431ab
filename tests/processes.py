"""Real Celery worker and beat processes for tests, on the test broker and database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".data" / "test-logs"
# Modules only the test worker loads: a task and job handlers that exist for tests.
TEST_MODULES = "tests.core.worker_tasks,tests.jobs.handlers"


class CeleryProcess:
    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "CeleryProcess":
        LOGS.mkdir(parents=True, exist_ok=True)
        log = (LOGS / f"{self.name}.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *self.argv],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
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


def worker(env: dict[str, str], name: str = "worker") -> CeleryProcess:
    return CeleryProcess(
        name,
        [
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--include={TEST_MODULES}",
            f"--hostname={name}@%h",
        ],
        env,
    )


def beat(env: dict[str, str], name: str = "beat") -> CeleryProcess:
    LOGS.mkdir(parents=True, exist_ok=True)
    schedule = LOGS / f"{name}-schedule"
    return CeleryProcess(
        name,
        ["beat", "--loglevel=INFO", f"--schedule={schedule}", f"--pidfile={LOGS / name}.pid"],
        env,
    )


def wait_for_worker(process: CeleryProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not app.control.ping(timeout=0.5):
        if not process.alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the Celery worker did not start; see {LOGS / process.name}.log")


def test_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
    }
