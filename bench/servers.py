"""What the benchmarks stand on: databases of their own, and servers they start on loopback.

A benchmark works on a PostgreSQL database of its own (dropped at the end) and on Redis
databases 13-15 (broker, results, cache), which scripts/services/redis.sh keeps for the
benchmarks (they run one at a time; flushed before and after), so `make run` and test runs
are left alone. Servers run in a session of their own: Ctrl-C reaches the benchmark only,
which stops them with everything they started.
"""

import http.client
import itertools
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".data" / "bench-logs"
PG_PORT = os.environ.get("KURA_PG_PORT", "55432")
REDIS_PORT = os.environ.get("KURA_REDIS_PORT", "56379")
ADMIN_URL = f"postgresql://kura:kura@127.0.0.1:{PG_PORT}/postgres"
REDIS_DBS = {"CELERY_BROKER_URL": 13, "CELERY_RESULT_BACKEND": 14, "REDIS_URL": 15}
Conn = http.client.HTTPConnection
ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")  # NAME=value before a command


def own_databases(name: str) -> None:
    """Point this process, and the processes it starts, at database `name` and Redis 13-15
    (before Django is set up)."""
    os.environ["DATABASE_URL"] = f"postgres://kura:kura@127.0.0.1:{PG_PORT}/{name}"
    os.environ.update({var: f"redis://127.0.0.1:{REDIS_PORT}/{n}" for var, n in REDIS_DBS.items()})


def databases_reset(name: str) -> None:
    """An empty database `name` and empty Redis databases."""
    databases_drop(name)
    _postgres(f"CREATE DATABASE {name}")


def databases_drop(name: str) -> None:
    import redis

    _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    for var in REDIS_DBS:
        redis.Redis.from_url(os.environ[var]).flushdb()


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as db:
        db.execute(sql)  # type: ignore[arg-type]


class ConnectionWatch:
    """Counts the PostgreSQL connections named `name` (a server started with PGAPPNAME=name,
    which libpq reads) every `every` seconds, from a thread of its own, while in the `with`
    block. `peak` is the most held at once in two counts in a row; `highest`, the most in
    one count, may add a connection being replaced (CONN_MAX_AGE ends one at the end of a
    request and the thread's next request opens another, before PostgreSQL has let the old
    one go)."""

    def __init__(self, name: str, every: float = 0.01) -> None:
        self.name, self.every, self.peak, self.highest = name, every, 0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        import psycopg

        sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        previous = 0
        with psycopg.connect(ADMIN_URL, autocommit=True) as db:
            while not self._done.is_set():
                row = db.execute(sql, (self.name,)).fetchone()
                count = row[0] if row else 0
                self.highest = max(self.highest, count)
                self.peak = max(self.peak, min(previous, count))
                previous = count
                self._done.wait(self.every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(
    conn: Conn,
    method: str,
    path: str,
    *,
    host: str,
    headers: dict[str, str] | None = None,
    body: dict | None = None,
) -> tuple[int, bytes]:
    """One request on a kept-alive connection (http.client reopens a closed one)."""
    payload = None if body is None else json.dumps(body)
    sent = {"Host": host, **({} if body is None else {"Content-Type": "application/json"})}
    conn.request(method, path, payload, {**sent, **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read()


def gunicorn(
    port: int, log: Path, env: dict[str, str], *, workers: int = 2, threads: int = 4
) -> subprocess.Popen:
    """Serve config.wsgi with gunicorn (gthread) on 127.0.0.1:`port`, with `env` added to
    this process's environment; returns once /healthz answers."""
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
           f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", str(workers),
           "--threads", str(threads), "--keep-alive", "30", "--log-level", "warning"]  # fmt: skip
    return serving(cmd, port, log, {**os.environ, **env})


def procfile(name: str) -> tuple[dict[str, str], list[str]]:
    """The environment and the command of the Procfile's process `name`, as `make run`
    (honcho) starts it from the repository's root."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            words = shlex.split(line.removeprefix(f"{name}:"))
            assignments = list(itertools.takewhile(ASSIGNMENT.match, words))
            return dict(word.split("=", 1) for word in assignments), words[len(assignments) :]
    raise LookupError(f"no process {name} in the Procfile")


def make_run_web(port: int, log: Path, env: dict[str, str]) -> subprocess.Popen:
    """`make run`'s web server as the Procfile starts it, on 127.0.0.1:`port` instead of
    8000; `env` (this process's environment, then the Procfile's, then this) may override
    what the Procfile sets. Returns once /healthz answers."""
    procfile_env, cmd = procfile("web")
    cmd = [word.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for word in cmd]
    return serving(cmd, port, log, {**os.environ, **procfile_env, **env}, wait=60)


def serving(
    cmd: list[str], port: int, log: Path, env: dict[str, str], *, wait: float = 30
) -> subprocess.Popen:
    """Start `cmd` in a session of its own, its output in `log`; returns once /healthz
    answers on `port`."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            probe = Conn("127.0.0.1", port, timeout=2)
            status, _body = call(probe, "GET", "/healthz", host="localhost")
            probe.close()
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"the server did not start; its output:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the process and its children
        proc.wait()
