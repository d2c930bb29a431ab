"""Mixed API traffic from concurrent clients: requests, latency, errors, and nothing lost.

gunicorn serves the API with production settings (config.settings.production, secrets
drawn for the run; gthread, 2 workers x 4 threads as in bench/auth_overhead.py) on a free
loopback port; or, with --make-run, `make run`'s own web server, started as the Procfile
starts it (gunicorn with config/gunicorn.py, local settings, --reload) on a free port, for
clients that come signed in (browsers: their sign-ins happen before the clock, as many at
once as the server has threads).
Meanwhile a thread counts the server's PostgreSQL connections in pg_stat_activity every
50 ms (the server's PGAPPNAME names them): the peak must stay within workers x threads.
Two tenants share the clients: each client is a member (its own person), and each tenant
has a viewer and an API key with write scope, on a plan whose rate limits they cannot
reach (the bench measures the server, not our 429s).

A client is a thread with one keep-alive connection (http.client). It signs in, then picks
weighted operations (OPS) until the time or the request budget is spent: refresh
(rotation), sign-out (and in again), profile, tenant, reminders (list; create, an hour or
more ahead; read one; cancel one), notifications (list; read all), a read with the API key,
and a viewer's write, which must be refused (403 counts as expected, not as an error).
Any other status, or no answer, is an error. Afterwards the database is asked whether
every acknowledged write is there: reminders with their jobs, cancels, read-all, issued
and rotated refresh tokens, sign-outs.

No Celery worker runs: reminders are due an hour or more ahead, beyond the delayed queue's
horizon, so no write sends a Celery message (their jobs wait in PostgreSQL) and a worker
would only idle. A database of its own (kura_bench_load, dropped at the end) and the
benchmarks' Redis databases (bench/servers.py); the server log stays in .data/bench-logs/.

    .venv/bin/python bench/load.py --clients 20 --seconds 120
    .venv/bin/python bench/load.py --make-run --clients 100 --seconds 60
"""

import argparse
import base64
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers
from bench.servers import LOGS, Conn, call, stop

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
DB = "kura_bench_load"
servers.own_databases(DB)  # gunicorn inherits it
TENANTS = ("load-a", "load-b")
PASSWORD = secrets.token_urlsafe(16)  # everyone's, this run only
UNREACHABLE = 2_000_000_000  # requests a window: the plan never throttles the bench
REMINDER_DELAY = 3600  # seconds at least: no reminder is due during the run
NOTIFICATIONS = 20  # seeded per person (nothing notifies during the run)
TIMEOUT = 10.0  # seconds a request may take before it counts as an error
SEED = 7
LOG = LOGS / "load-gunicorn.log"
MAKE_RUN_LOG = LOGS / "load-make-run.log"
APPLICATION_NAME = f"kura-bench-load-{os.getpid()}"  # the server's connections, by name


@dataclass(frozen=True)
class Op:
    label: str
    weight: float
    expect: int  # the status that acknowledges it


# Sign-ins are rare, as with real API clients: Argon2 costs about 120 ms of CPU each (a
# sign-out is followed by one; so is each client's start, for its member and its viewer).
OPS = {
    "login": Op("POST /auth/login", 0.3, 200),
    "logout": Op("POST /auth/logout", 0.2, 204),
    "refresh": Op("POST /auth/refresh", 4, 200),
    "profile": Op("GET /api/profile", 10, 200),
    "tenant": Op("GET /api/tenant", 5, 200),
    "reminders": Op("GET /api/reminders", 10, 200),
    "create": Op("POST /api/reminders", 10, 201),
    "detail": Op("GET /api/reminders/{id}", 10, 200),
    "cancel": Op("DELETE /api/reminders/{id}", 4, 200),
    "notifications": Op("GET /api/notifications", 8, 200),
    "read_all": Op("POST /api/notifications/read-all", 3, 204),
    "api_key": Op("GET /api/tenant (API key)", 6, 200),
    "viewer_write": Op("POST /api/reminders (viewer)", 3, 403),
}


@dataclass(frozen=True)
class Seat:
    """Who a client is: a member of a tenant, with that tenant's viewer and API key."""

    tenant: Any  # apps.tenants.models.Tenant (Django is set up after this module loads)
    email: str
    user_id: int
    viewer: str
    api_key: str

    @property
    def host(self) -> str:
        return f"{self.tenant.slug}.localhost"


@dataclass
class Tokens:
    """One person's sign-in on a client."""

    email: str
    access: str = ""
    refresh: str = ""
    renew_at: float = 0.0  # monotonic: rotate before the access token expires


def claims(token: str) -> dict[str, Any]:
    """A JWT's payload, unverified (the bench reads its own tokens' jti and family)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class Client:
    def __init__(self, number: int, seat: Seat, port: int) -> None:
        self.number, self.seat = number, seat
        self.conn = Conn("127.0.0.1", port, timeout=TIMEOUT)
        self.rng = random.Random(SEED + number)
        self.member, self.viewer = Tokens(seat.email), Tokens(seat.viewer)
        self.start = 0.0
        self.samples: list[tuple[str, float, float, int]] = []  # op, at (s), ms, status
        self.errors: Counter[str] = Counter()
        self.failures: list[str] = []  # the first few, to show
        # What the server acknowledged, checked against the database afterwards.
        self.created: dict[int, str] = {}  # reminder id: message
        self.open: list[int] = []  # created, not cancelled
        self.cancelled: set[int] = set()
        self.unsure: set[int] = set()  # a cancel without an answer: either state will do
        self.all_read = False
        self.issued: list[str] = []  # jti of every refresh token received
        self.rotated: list[str] = []  # jti of every refresh token traded in
        self.signed_out: list[str] = []  # refresh families

    def run(self, start: float, stop_at: float, budget: Iterator[int], most: int) -> None:
        self.start = start
        names = list(OPS)
        weights = [OPS[name].weight for name in names]
        while time.monotonic() < stop_at and next(budget) < most:
            getattr(self, self.rng.choices(names, weights)[0])()

    def send(
        self,
        op: str,
        method: str,
        path: str,
        *,
        headers: dict | None = None,
        body: dict | None = None,
    ) -> tuple[int, Any]:
        """Request, time and check; the parsed body when the status is the expected one."""
        began = time.monotonic()
        try:
            status, data = call(
                self.conn, method, path, host=self.seat.host, headers=headers, body=body
            )
        except (OSError, http.client.HTTPException) as error:
            status, data = 0, repr(error).encode()
            self.conn.close()  # reopened by the next request
        self.samples.append((op, began - self.start, (time.monotonic() - began) * 1000, status))
        if status != OPS[op].expect:
            self.wrong(op, f"{status} {data[:200]!r}")
            return status, None
        try:
            return status, json.loads(data) if data else {}
        except ValueError:
            self.wrong(op, f"{status} not JSON: {data[:200]!r}")
            return status, None

    def wrong(self, op: str, what: str) -> None:
        self.errors[op] += 1
        if len(self.failures) < 5:
            self.failures.append(f"client {self.number} {OPS[op].label}: {what}")

    def bearer(self, tokens: Tokens) -> dict[str, str]:
        if not tokens.access:
            self.login(tokens)
        elif time.monotonic() > tokens.renew_at:
            self.refresh(tokens)
        return {"Authorization": f"Bearer {tokens.access}"}

    def keep(self, tokens: Tokens, pair: dict) -> None:
        tokens.access, tokens.refresh = pair["access_token"], pair["refresh_token"]
        tokens.renew_at = time.monotonic() + pair["expires_in"] - 60
        self.issued.append(claims(tokens.refresh)["jti"])

    # --- the operations ---------------------------------------------------------------

    def login(self, tokens: Tokens | None = None) -> None:
        tokens = tokens or self.member
        body = {"email": tokens.email, "password": PASSWORD}
        _status, pair = self.send("login", "POST", "/auth/login", body=body)
        tokens.access = ""
        if pair is not None:
            self.keep(tokens, pair)

    def refresh(self, tokens: Tokens | None = None) -> None:
        tokens = tokens or self.member
        if not tokens.refresh:
            self.login(tokens)
            return
        presented = claims(tokens.refresh)["jti"]
        body = {"refresh_token": tokens.refresh}
        _status, pair = self.send("refresh", "POST", "/auth/refresh", body=body)
        tokens.access = tokens.refresh = ""  # without a new pair: sign in again
        if pair is not None:
            self.rotated.append(presented)
            self.keep(tokens, pair)

    def logout(self) -> None:
        headers = self.bearer(self.member)
        family = claims(self.member.access)["fam"] if self.member.access else None
        status, _ = self.send("logout", "POST", "/auth/logout", headers=headers)
        if status == 204 and family:
            self.signed_out.append(family)
        self.member.access = self.member.refresh = ""  # the next operation signs in

    def profile(self) -> None:
        self.send("profile", "GET", "/api/profile", headers=self.bearer(self.member))

    def tenant(self) -> None:
        self.send("tenant", "GET", "/api/tenant", headers=self.bearer(self.member))

    def reminders(self) -> None:
        self.send("reminders", "GET", "/api/reminders", headers=self.bearer(self.member))

    def create(self) -> None:
        message = f"client {self.number} reminder {len(self.created) + 1}"
        body = {"message": message, "delay": REMINDER_DELAY + self.rng.randrange(3600)}
        headers = self.bearer(self.member)
        _status, data = self.send("create", "POST", "/api/reminders", headers=headers, body=body)
        if data is None:
            return
        if data.get("message") != message or data.get("status") != "scheduled":
            self.wrong("create", f"201 with {data}")
        if isinstance(data.get("id"), int):
            self.created[data["id"]] = message
            self.open.append(data["id"])

    def detail(self) -> None:
        if not self.created:
            self.create()
            return
        pk = self.rng.choice(list(self.created))  # cancelled ones too
        headers = self.bearer(self.member)
        _status, data = self.send("detail", "GET", f"/api/reminders/{pk}", headers=headers)
        if data is not None and data.get("id") != pk:
            self.wrong("detail", f"200 with {data}")

    def cancel(self) -> None:
        if not self.open:
            self.create()
            return
        pk = self.open.pop(self.rng.randrange(len(self.open)))
        headers = self.bearer(self.member)
        status, data = self.send("cancel", "DELETE", f"/api/reminders/{pk}", headers=headers)
        if data is not None:
            self.cancelled.add(pk)
            if data.get("status") != "cancelled":
                self.wrong("cancel", f"200 with {data}")
        elif status == 0 or status >= 500:
            self.unsure.add(pk)

    def notifications(self) -> None:
        self.send("notifications", "GET", "/api/notifications", headers=self.bearer(self.member))

    def read_all(self) -> None:
        headers = self.bearer(self.member)
        status, _ = self.send("read_all", "POST", "/api/notifications/read-all", headers=headers)
        self.all_read = self.all_read or status == 204

    def api_key(self) -> None:
        headers = {"Authorization": f"Api-Key {self.seat.api_key}"}
        _status, data = self.send("api_key", "GET", "/api/tenant", headers=headers)
        if data is not None and data.get("slug") != self.seat.tenant.slug:
            self.wrong("api_key", f"200 with {data}")

    def viewer_write(self) -> None:
        body = {"message": "a viewer may not", "delay": REMINDER_DELAY}
        headers = self.bearer(self.viewer)
        self.send("viewer_write", "POST", "/api/reminders", headers=headers, body=body)


def setup(clients: int) -> list[Seat]:
    """A fresh database: the tenants on an unreachable plan, their people and keys."""
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from apps.accounts.models import ApiKey, Membership
    from apps.accounts.principal import Principal
    from apps.accounts.services import api_key_create, user_create
    from apps.notifications.services import notification_create
    from apps.tenants.models import Plan, Tenant
    from apps.tenants.services import tenant_create

    call_command("migrate_all", verbosity=0)
    plan = Plan.objects.create(
        name="bench-load",
        requests_per_minute=UNREACHABLE,
        tenant_requests_per_minute=UNREACHABLE,
    )
    roles = Membership.Role
    seats: dict[int, Seat] = {}
    for first, slug in enumerate(TENANTS):
        tenant = tenant_create(name=f"Load {slug}", slug=slug)
        Tenant.objects.filter(pk=tenant.pk).update(plan=plan)

        def person(name: str, role: str, tenant: Tenant = tenant, slug: str = slug) -> Membership:
            email = f"{name}@{slug}.example"
            user = user_create(email=email, password=PASSWORD, full_name=name, validate=False)
            return Membership.objects.create(user=user, tenant=tenant, role=role)

        owner = person("owner", roles.OWNER)
        _key, secret = api_key_create(
            tenant=tenant,
            name="load",
            scope=ApiKey.Scope.WRITE,
            actor=Principal.of_membership(owner),
        )
        viewer = person("viewer", roles.VIEWER).user.email
        for n in range(first, clients, len(TENANTS)):
            user = person(f"member{n}", roles.MEMBER).user
            with tenant_context(tenant):
                for i in range(NOTIFICATIONS):
                    notification_create(user=user, kind="bench", title=f"Notice {i}", email=False)
            seats[n] = Seat(tenant, user.email, user.pk, viewer, secret)
    return [seats[n] for n in range(clients)]


def production_env() -> dict[str, str]:
    """What config.settings.production needs: secrets of its own, and no HTTPS redirect on
    plain loopback HTTP."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "KURA_JWT_SIGNING_KEY": secrets.token_urlsafe(32),  # 43 characters, 32 bytes
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "localhost,.localhost,127.0.0.1",
    }


def cpu_seconds(session: int) -> float:
    """CPU time of the live processes of a session (the gunicorn master and its workers)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # after the name: state ppid pgrp session ... utime stime
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds the whole machine has spent on anything but idling."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


@dataclass
class Run:
    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)  # cores busy on average
    stuck: int = 0


def sign_in_first(clients: list[Client], at_once: int) -> None:
    """Every client's member and viewer signed in before the clock starts, `at_once` at a
    time, as browsers that were signed in already: a hundred clients' sign-ins at once are
    200 Argon2 hashes (24 s of CPU) in the first seconds, which measures the hash."""

    def sign_in(client: Client) -> None:
        client.login(client.member)
        client.login(client.viewer)
        client.samples.clear()  # not part of the run; a failed one signs in during it
        client.errors.clear()
        client.failures.clear()
        # Idle until the others are signed in, longer than the server keeps a connection
        # open (gunicorn's keepalive): the run starts on a new one, as a browser would.
        client.conn.close()

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        list(pool.map(sign_in, clients))


def drive(clients: list[Client], seconds: float, most: int, server: int) -> Run:
    budget = itertools.count()
    before = time.process_time(), cpu_seconds(server), machine_busy()
    start = time.monotonic()
    stop_at = start + seconds
    threads = [
        threading.Thread(target=c.run, args=(start, stop_at, budget, most), daemon=True)
        for c in clients
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, stop_at + 3 * TIMEOUT - time.monotonic()))
    run = Run(time.monotonic() - start, stuck=sum(t.is_alive() for t in threads))
    after = time.process_time(), cpu_seconds(server), machine_busy()
    for name, b, a in zip(("client", "gunicorn", "machine"), before, after, strict=True):
        run.cpu[name] = (a - b) / run.seconds
    return run


def cuts(values: list[float]) -> str:
    """p50, p95, p99 and max, ms."""
    if len(values) < 2:
        values = values * 2 or [0.0, 0.0]
    q = statistics.quantiles(values, n=100, method="inclusive")
    return "".join(f"{x:8.1f}" for x in (q[49], q[94], q[98], max(values)))


def report_traffic(clients: list[Client], run: Run, server: str) -> tuple[int, int]:
    """Print the figures; (errors, 5xx)."""
    samples = [s for c in clients for s in c.samples]
    errors = sum(sum(c.errors.values()) for c in clients) + run.stuck
    errors_by_op = sum((c.errors for c in clients), Counter())
    server_errors = sum(status >= 500 for *_s, status in samples)
    n = len(samples)
    print(
        f"{len(clients)} clients (threads, one keep-alive http.client connection each) for "
        f"{run.seconds:.1f} s against {server}, {len(TENANTS)} tenants, {os.cpu_count()} CPUs"
    )
    print(
        f"requests: {n} = {n / run.seconds:.0f}/s; 5xx: {server_errors}; errors (unexpected "
        f"status, wrong body, no answer): {errors}; still running at the end: {run.stuck}"
    )
    print(f"{'latency, ms':33s} {'count':>7s}     p50     p95     p99     max  5xx  errors")
    all_ms = [ms for _o, _t, ms, _s in samples]
    print(f"  {'all':31s} {n:7d}{cuts(all_ms)} {server_errors:4d} {errors:7d}")
    for name, op in OPS.items():
        mine = [s for s in samples if s[0] == name]
        fives = sum(status >= 500 for *_s, status in mine)
        times = [ms for _o, _t, ms, _s in mine]
        print(f"  {op.label:31s} {len(mine):7d}{cuts(times)} {fives:4d} {errors_by_op[name]:7d}")
    refused = sum(s[0] == "viewer_write" and s[3] == 403 for s in samples)
    print(f"expected refusals: {refused} viewer writes answered 403 (not errors)")
    slices = 6
    width = run.seconds / slices
    parts = [[s for s in samples if i * width <= s[1] < (i + 1) * width] for i in range(slices)]
    print(
        f"by {width:.1f} s slice: req/s "
        + ", ".join(f"{len(p) / width:.0f}" for p in parts)
        + "; p99 ms "
        + ", ".join(cuts([s[2] for s in p]).split()[2] for p in parts)
    )
    cpu = run.cpu
    client_us = cpu["client"] * run.seconds / max(n, 1) * 1e6
    print(
        f"CPU, cores busy on average (of {os.cpu_count()}): client {cpu['client']:.2f} "
        f"({client_us:.0f} us a request), gunicorn {cpu['gunicorn']:.2f}, whole machine "
        f"{cpu['machine']:.2f} (the rest: PostgreSQL, Redis, anything else running)"
    )
    if cpu["machine"] > 0.9 * (os.cpu_count() or 1):
        print("  all CPUs were busy: the figures are bound by CPU, shared with whatever else ran")
    for failure in [f for c in clients for f in c.failures][:8]:
        print(f"  error: {failure}")
    return errors, server_errors


def report_lost(clients: list[Client]) -> int:
    """Ask the database for every acknowledged write; print and return how many are lost."""
    from django_tenants.utils import tenant_context

    from apps.accounts.models import RefreshToken
    from apps.jobs.models import Job
    from apps.notifications.models import Notification
    from apps.reminders.models import Reminder

    missing = uncancelled = unread = 0
    jobs: dict[int, set[str]] = {}  # job id: the states it may be in
    for c in clients:
        with tenant_context(c.seat.tenant):
            rows = Reminder.objects.filter(pk__in=list(c.created)).values_list(
                "pk", "user_id", "message", "status", "job_id"
            )
            found = {pk: rest for pk, *rest in rows}
            if c.all_read:
                unread += Notification.objects.filter(user_id=c.seat.user_id, read_at=None).count()
        for pk, message in c.created.items():
            user_id, text, status, job_id = found.get(pk, (None, None, None, None))
            states = {"scheduled", "cancelled"} if pk in c.unsure else set()
            states.add("cancelled" if pk in c.cancelled else "scheduled")
            if (user_id, text, job_id is not None) != (c.seat.user_id, message, True):
                missing += 1
            elif status not in states:
                uncancelled += 1
            else:
                jobs[job_id] = states
    job_states = dict(Job.objects.filter(pk__in=list(jobs)).values_list("pk", "state"))
    bad_jobs = sum(job_states.get(pk) not in states for pk, states in jobs.items())
    issued = [jti for c in clients for jti in c.issued]
    rotated = [jti for c in clients for jti in c.rotated]
    families = [fam for c in clients for fam in c.signed_out]
    tokens = RefreshToken.objects
    stored = tokens.filter(jti__in=issued).count()
    retired = tokens.filter(jti__in=rotated, retired_at__isnull=False).count()
    live = tokens.filter(family__in=families, revoked_at=None).count()
    created = sum(len(c.created) for c in clients)
    cancels = sum(len(c.cancelled) for c in clients)
    readers = sum(c.all_read for c in clients)
    print("nothing lost? (acknowledged writes, looked up in the database afterwards)")
    print(f"  reminders created (201): {created}; missing or not as sent: {missing}")
    print(f"  reminders cancelled (200): {cancels}; not in the acknowledged state: {uncancelled}")
    print(f"  their jobs: {len(jobs)}; missing or in another state: {bad_jobs}")
    print(f"  people who read all (204): {readers}; notifications left unread: {unread}")
    print(f"  refresh tokens received: {len(issued)}; not stored: {len(issued) - stored}")
    print(
        f"  refresh tokens traded in (200): {len(rotated)}; not retired: {len(rotated) - retired}"
    )
    print(f"  sign-outs (204): {len(families)}; refresh tokens still live in them: {live}")
    return (
        missing + uncancelled + bad_jobs + unread + len(issued) - stored + len(rotated) - retired
    ) + live


@dataclass(frozen=True)
class Server:
    what: str
    log: Path
    most_connections: int  # workers x threads


def start_server(args: argparse.Namespace, port: int) -> tuple[subprocess.Popen, Server]:
    named = {"PGAPPNAME": APPLICATION_NAME}  # libpq reads it: the server's connections
    if args.make_run:
        from config import gunicorn as served  # the sizes the server reads, here too

        metrics = LOGS / "load-make-run-metrics"  # its own, emptied as `make run` does
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir()
        env = {**named, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        server = Server(
            f"make run's web server (the Procfile's: gunicorn gthread, {served.workers} "
            f"workers x {served.threads} threads, --reload), config.settings.local",
            MAKE_RUN_LOG,
            served.workers * served.threads,
        )
        return servers.make_run_web(port, server.log, env), server
    server = Server(
        f"gunicorn (gthread, {args.workers} workers x {args.threads} threads), "
        "config.settings.production",
        LOG,
        args.workers * args.threads,
    )
    env = {**production_env(), **named}
    return servers.gunicorn(port, LOG, env, workers=args.workers, threads=args.threads), server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument(
        "--max-requests", type=int, default=500_000, help="stop after about this many"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads a gunicorn worker")
    parser.add_argument(
        "--make-run",
        action="store_true",
        help="`make run`'s web server (the Procfile's command) instead: its own workers x "
        "threads (WEB_CONCURRENCY, WEB_THREADS), local settings",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below cleans up

    servers.databases_reset(DB)
    proc = None
    try:
        import django

        django.setup()
        seats = setup(args.clients)
        LOGS.mkdir(parents=True, exist_ok=True)
        port = servers.free_port()
        proc, server = start_server(args, port)
        log, most = server.log, server.most_connections
        clients = [Client(n, seat, port) for n, seat in enumerate(seats)]
        with servers.ConnectionWatch(APPLICATION_NAME, every=0.05) as watch:
            if args.make_run:
                sign_in_first(clients, at_once=most)
            run = drive(clients, args.seconds, args.max_requests, proc.pid)
        stop(proc)  # gracefully: whatever was in flight is finished
        proc = None
        errors, server_errors = report_traffic(clients, run, server.what)
        print(
            f"PostgreSQL connections of the server (pg_stat_activity every 50 ms): peak "
            f"{watch.peak} held (in two counts in a row), bound {most} (workers x threads)"
            + (
                f"; {watch.highest} in one count (a connection replaced at CONN_MAX_AGE)"
                if watch.highest > watch.peak
                else ""
            )
        )
        lost = report_lost(clients)
        tracebacks = log.read_text().count("Traceback")
        print(f"server log: {tracebacks} tracebacks ({log.relative_to(LOGS.parent.parent)})")
        met = errors == server_errors == lost == 0 and watch.peak <= most
        print(
            f"goal: 0 errors, 0 5xx, 0 lost, at most {most} connections — "
            f"{'met' if met else 'NOT met'} ({errors} errors, {server_errors} 5xx, {lost} lost, "
            f"{watch.peak} connections)"
        )
    finally:
        if proc is not None:
            stop(proc)
        from django.db import connections

        connections.close_all()
        servers.databases_drop(DB)


if __name__ == "__main__":
    main()
