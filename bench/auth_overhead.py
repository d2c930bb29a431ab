"""What authentication costs an API request: GET /api/profile with an access token vs a bare view.

One gunicorn server (bench/servers.py; 2 workers x 4 threads) serves three endpoints of the
acme tenant, through the same middleware and tenant routing (bench/auth_overhead_urls.py):
  /api/profile  the real one: DRF, token check, tenant binding, Redis deny-list, membership
                query, permission, both throttles, then the profile's own queries;
  /bench/noop   a DRF view with the same defaults that does nothing (authentication alone);
  /bench/bare   a plain Django JsonResponse.
Rounds take the endpoints in turn over keep-alive connections on loopback; the medians and
the ratios are printed (the goal is on bare/profile).

For the run, acme gets a plan with limits it cannot reach (its own plan is restored at the
end), so the rate-limit counters are bumped but never refuse (the server still runs them
over a 1 s window, as it did when they were lists of timestamps that grew with the window).
Needs the demo data (make demo).

    .venv/bin/python bench/auth_overhead.py --rounds 5 --requests 800 --concurrency 4
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.servers import Conn, call, free_port, gunicorn, stop

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
HOST = "acme.localhost"
EMAIL, PASSWORD = "owner@acme.example", "kura-demo-pass"  # from demo_data
AUTH_PATH, NOOP_PATH, BARE_PATH = "/api/profile", "/bench/noop", "/bench/bare"
UNREACHABLE = 2_000_000_000  # requests a window: the plan never throttles the bench


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.auth_overhead_settings",
        "KURA_THROTTLE_WINDOW_SECONDS": "1",
    }
    return gunicorn(port, log, env)


def request(
    conn: Conn, path: str, headers: dict | None = None, body: dict | None = None
) -> tuple[bool, bytes]:
    method = "GET" if body is None else "POST"
    status, data = call(conn, method, path, host=HOST, headers=headers, body=body)
    return status == 200, data


def login(port: int) -> str:
    conn = Conn("127.0.0.1", port, timeout=30)
    ok, data = request(conn, "/auth/login", body={"email": EMAIL, "password": PASSWORD})
    if not ok:
        raise SystemExit(f"sign-in failed (run `make demo`?): {data[:300]!r}")
    return json.loads(data)["access_token"]


def load(conns: list, path: str, headers: dict, total: int) -> float:
    """`total` requests spread over the connections, one thread each; requests a second."""
    failures: list[bytes] = []

    def worker(conn: Conn, count: int) -> None:
        for _ in range(count):
            try:
                ok, data = request(conn, path, headers)
            except (OSError, http.client.HTTPException) as error:
                ok, data = False, repr(error).encode()
            if not ok:
                failures.append(data[:300])
                return

    share = [total // len(conns) + (i < total % len(conns)) for i in range(len(conns))]
    threads = [
        threading.Thread(target=worker, args=a, daemon=True) for a in zip(conns, share, strict=True)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{path} failed: {failures[0]!r}")
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per endpoint")
    parser.add_argument("--requests", type=int, default=800, help="requests per round")
    parser.add_argument("--concurrency", type=int, default=4, help="keep-alive connections")
    parser.add_argument("--time-limit", type=float, default=120, help="seconds; stop rounds")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # clean up as on Ctrl-C

    import django

    django.setup()
    from apps.tenants.models import Plan, Tenant

    acme = Tenant.objects.filter(slug="acme")
    if not acme.exists():
        raise SystemExit("no tenant acme: run `make demo` first")
    previous = acme.get().plan  # restored at the end
    plan = Plan.objects.create(
        name=f"bench-{os.getpid()}",
        requests_per_minute=UNREACHABLE,
        tenant_requests_per_minute=UNREACHABLE,
    )
    acme.update(plan=plan)
    port = free_port()
    proc = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            proc = start_server(port, Path(tmp) / "server.log")
            bearer = {"Authorization": f"Bearer {login(port)}"}
            conns = [Conn("127.0.0.1", port, timeout=10) for _ in range(args.concurrency)]
            endpoints = [(AUTH_PATH, bearer), (NOOP_PATH, bearer), (BARE_PATH, {})]
            for path, headers in endpoints:  # warm-up
                load(conns, path, headers, 20 * args.concurrency)
            rates: dict[str, list[float]] = {path: [] for path, _ in endpoints}
            deadline = time.monotonic() + args.time_limit
            for i in range(args.rounds):
                if time.monotonic() > deadline:
                    print(f"time limit reached after {i} rounds")
                    break
                for path, headers in endpoints[i % 3 :] + endpoints[: i % 3]:  # rotate order
                    rates[path].append(load(conns, path, headers, args.requests))
    finally:
        if proc is not None:
            stop(proc)
        acme.filter(plan=plan).update(plan=previous)
        plan.delete()

    auth, noop, bare = (statistics.median(rates[p]) for p in (AUTH_PATH, NOOP_PATH, BARE_PATH))
    print(
        "server: gunicorn (gthread, 2 workers x 4 threads); "
        f"client: http.client, {args.concurrency} keep-alive connections"
    )
    print(f"{args.requests} requests a round, endpoints in turn; req/s of each round:")
    for path, values in rates.items():
        print(f"  {path:13s} {', '.join(f'{x:.0f}' for x in values)}")
    print(f"GET {AUTH_PATH} (JWT) : {auth:6.0f} req/s (median of {len(rates[AUTH_PATH])} rounds)")
    print(f"GET {NOOP_PATH} (JWT)  : {noop:6.0f} req/s (DRF no-op: auth, permission, throttles)")
    print(f"GET {BARE_PATH}        : {bare:6.0f} req/s")
    print(f"ratio bare/auth        : {bare / auth:6.2f}   (goal <= 1.5)")
    print(f"ratio bare/noop        : {bare / noop:6.2f}   (authentication alone)")


if __name__ == "__main__":
    main()
