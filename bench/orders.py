"""Orders a second when every order wants the same product, against orders spread over
1,000 products and against the plain insert of the same rows, and where the time goes.

One tenant in a database of its own (kura_bench_orders, dropped at the end) gets `--buyers`
members, one hot product and 1,000 others, all with more stock than the run can take.
`--workers` OS processes, each with its own database connection and in the tenant (as the
server's workers are, with config.settings.production: no debug cursor), place single-line
orders of one unit for `--seconds` per case, each with an idempotency key of its own and
the buyers in turn, all let go at the same moment, after WARM_UP orders each on the 1,000
products (connections open, caches warm). A case's seconds are run in `--parts` slices,
A B C A B C ..., so that the load others put on the shared machine falls on every case
alike:

  A  `apps.orders.services.order_place` on the hot product: every order takes the same
     row lock (the reservation UPDATE) and holds it until its transaction commits;
  B  `order_place` on one of the 1,000 products drawn at random (seeded): no contention;
  C  the same Order and OrderLine rows (a product drawn as in B) saved in a transaction of
     their own, one order each, without reservation, expiry job or search outbox.

Reported: orders/s of each, A/B (goal >= 0.25) and B/C; the mean time an order spends in
each kind of statement (an `execute_wrapper` buckets the SQL by verb and table; COMMIT and
the after-commit hooks are timed around the connection's own methods; the rest is Python);
how long the hot row stays locked per order (from the reservation UPDATE's return to the
end of COMMIT), which bounds A at 1 / that; and what the backends were doing, sampled from
pg_stat_activity every 50 ms (running, waiting for a lock, waiting on their worker inside a
transaction, idle between orders). Last, checked: the hot product's stock went down by
exactly the orders of A, the 1,000 products' by exactly those of B and the warm-up, every
order has its line, and no stock is negative. On 2 shared cores the absolute figures move
with the machine's load; the ratios, measured in the same run, less so.

    .venv/bin/python bench/orders.py --seconds 10 --workers 8

`--seconds 2` is a smoke run.
"""

import argparse
import multiprocessing as mp
import os
import random
import re
import secrets
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
DB = "kura_bench_orders"
servers.own_databases(DB)  # the workers inherit it
# What config.settings.production needs (as bench/load.py gives gunicorn): the workers run
# with it, so no debug cursor logs their queries.
WORKER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "KURA_JWT_SIGNING_KEY": secrets.token_urlsafe(32),
    "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    "DJANGO_SECURE_SSL_REDIRECT": "0",
}
SLUG = "bench-orders"
PRODUCTS = 1_000
HOT_STOCK = 100_000_000
STOCK = 1_000_000
PRICE = 1_200
GOAL = 0.25  # A / B
SAMPLE_EVERY = 0.05  # seconds, pg_stat_activity
SEED = 7
WARM_UP = 5  # orders a worker places on the 1,000 products before the cases
CASES = {
    "A": "order_place, one hot product",
    "B": "order_place, 1,000 products",
    "C": "plain insert, no reservation",
}
# Statements by verb and table, in the order a placed order sends them.
BUCKETS = {
    "SELECT orders_order": "idempotency check (SELECT order)",
    "SELECT catalog_product": "on-sale check, products read",
    "UPDATE catalog_product": "reservation UPDATE (row lock)",
    "INSERT orders_order": "order INSERT",
    "INSERT orders_orderline": "lines INSERT",
    "SELECT jobs_job": "expiry job: key lookup",
    "INSERT jobs_job": "expiry job: INSERT",
    "SAVEPOINT": "savepoints (the job's atomic)",
    "INSERT search_outboxentry": "search outbox INSERT",
    "COMMIT": "COMMIT",
    "HOOKS": "after-commit hooks (Redis)",
}
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)


@dataclass
class Tally:
    """One worker's figures for one case (summed over workers afterwards)."""

    orders: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0  # seconds in the order calls
    held: float = 0.0  # seconds from the reservation UPDATE's return to the end of COMMIT
    worker_cpu: float = 0.0  # seconds of CPU the worker process used
    backend_cpu: float = 0.0  # and its PostgreSQL backend (/proc; 0 where unreadable)
    buckets: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # seconds
    statements: Counter[str] = field(default_factory=Counter)

    def plain(self) -> dict[str, Any]:
        """Builtins only, to cross to the parent (this module is `__mp_main__` in a worker)."""
        return {
            "orders": self.orders,
            "errors": dict(self.errors),
            "wall": self.wall,
            "held": self.held,
            "worker_cpu": self.worker_cpu,
            "backend_cpu": self.backend_cpu,
            "buckets": dict(self.buckets),
            "statements": dict(self.statements),
        }

    @classmethod
    def of(cls, plain: dict[str, Any]) -> "Tally":
        return cls(
            orders=plain["orders"],
            errors=Counter(plain["errors"]),
            wall=plain["wall"],
            held=plain["held"],
            worker_cpu=plain["worker_cpu"],
            backend_cpu=plain["backend_cpu"],
            buckets=defaultdict(float, plain["buckets"]),
            statements=Counter(plain["statements"]),
        )

    def add(self, other: "Tally") -> None:
        self.orders += other.orders
        self.errors.update(other.errors)
        self.wall += other.wall
        self.held += other.held
        self.worker_cpu += other.worker_cpu
        self.backend_cpu += other.backend_cpu
        for name, seconds in other.buckets.items():
            self.buckets[name] += seconds
        self.statements.update(other.statements)


def cpu_of(pid: int) -> float:
    """CPU seconds process `pid` has used (user + system); 0 if /proc does not say."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bucket_of(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper()
    if verb in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
        return "SAVEPOINT"
    table = TABLE.search(sql)
    return f"{verb} {table.group(1) if table else '?'}"


class Clock:
    """Times this connection's statements, COMMIT and after-commit hooks into a Tally."""

    def __init__(self, connection: Any) -> None:
        self.tally = Tally()
        self.reserved_at: float | None = None
        connection.ensure_connection()
        commit, hooks = connection._commit, connection.run_and_clear_commit_hooks  # noqa: SLF001
        connection._commit = self.timed("COMMIT", commit)  # noqa: SLF001
        connection.run_and_clear_commit_hooks = self.timed("HOOKS", hooks)

    def timed(self, name: str, call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            start = time.perf_counter()
            try:
                return call()
            finally:
                end = time.perf_counter()
                self.tally.buckets[name] += end - start
                self.tally.statements[name] += 1
                if name == "COMMIT" and self.reserved_at is not None:
                    self.tally.held += end - self.reserved_at
                    self.reserved_at = None

        return run

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        name = bucket_of(sql)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            end = time.perf_counter()
            self.tally.buckets[name] += end - start
            self.tally.statements[name] += 1
            if name == "UPDATE catalog_product":
                self.reserved_at = end


def place(case: str, *, tenant: Any, buyer: Any, product: Any, key: str) -> None:
    """One order of one unit of `product`: through order_place (A, B), or its rows alone,
    in a transaction of their own (C)."""
    from django.db import transaction
    from django.utils import timezone

    from apps.orders import services
    from apps.orders.models import Order, OrderLine

    if case != "C":
        placed = services.order_place(
            tenant=tenant,
            actor=buyer,
            lines=[services.LineInput(product_id=product.pk, quantity=1)],
            idempotency_key=key,
        )
        if not placed.created:
            raise RuntimeError("an idempotency key was used twice")
        return
    with transaction.atomic():
        order = Order(
            buyer=buyer.membership.user,
            number=services._new_number(),  # noqa: SLF001 - the numbers order_place draws
            total=product.price,
            expires_at=timezone.now() + services.payment_window(tenant),
            idempotency_key=key,
        )
        order.save()
        line = OrderLine(
            order=order,
            product=product,
            product_name=product.name,
            unit_price=product.price,
            quantity=1,
        )
        OrderLine.objects.bulk_create([line])


def worker(number: int, tasks: Any, results: Any, buyer_ids: list[int], hot_id: int) -> None:
    """A worker process: Django with production settings, its own connection in the
    tenant; runs the cases it is given until it gets None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the run
    os.environ.update(WORKER_ENV)
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from apps.accounts.models import Membership
    from apps.accounts.principal import Principal
    from apps.catalog.models import Product
    from apps.tenants.models import Tenant

    tenant = Tenant.objects.get(slug=SLUG)
    buyers = [
        Principal.of_membership(m)
        for m in Membership.objects.select_related("user").filter(user_id__in=buyer_ids)
    ]
    rng = random.Random(SEED + number)
    with tenant_context(tenant):  # as TenantMainMiddleware enters it for a request
        hot = Product.objects.get(pk=hot_id)
        spread = list(Product.objects.exclude(pk=hot_id).order_by("pk"))
        # Before the clock: the first order of a process sets up its Redis and broker
        # connections (the outbox's after-commit hook) and Django's caches.
        for i in range(WARM_UP):
            buyer = buyers[(i + number) % len(buyers)]
            place(
                "W", tenant=tenant, buyer=buyer, product=rng.choice(spread), key=f"W-{number}-{i}"
            )
        clock = Clock(connection)
        results.put(number)  # ready
        while (task := tasks.get()) is not None:
            case, part, start_at, seconds = task
            clock.tally = tally = Tally()
            time.sleep(max(0.0, start_at - time.monotonic()))
            backend = connection.connection.info.backend_pid
            cpu, backend_cpu = time.process_time(), cpu_of(backend)
            with connection.execute_wrapper(clock):
                while time.monotonic() < start_at + seconds:
                    done = tally.orders + tally.errors.total()
                    product = hot if case == "A" else rng.choice(spread)
                    began = time.perf_counter()
                    try:
                        place(
                            case,
                            tenant=tenant,
                            buyer=buyers[(done + number) % len(buyers)],
                            product=product,
                            key=f"{case}-{part}-{number}-{done}",
                        )
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        tally.errors[type(exc).__name__] += 1
                        clock.reserved_at = None
                    else:
                        tally.orders += 1
                    tally.wall += time.perf_counter() - began
            tally.worker_cpu = time.process_time() - cpu
            tally.backend_cpu = cpu_of(backend) - backend_cpu
            results.put((case, tally.plain()))
    connection.close()


def setup(buyers: int) -> tuple[list[int], int]:
    """The tenant, its buyers (members, no password: nobody signs in) and the products;
    returns the buyers' user ids and the hot product's id."""
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from apps.accounts.models import Membership, User
    from apps.catalog.models import Product
    from apps.tenants.services import tenant_create

    call_command("migrate_all", verbosity=0)
    tenant = tenant_create(name="Bench orders", slug=SLUG)
    users = [
        User.objects.create_user(email=f"buyer{i}@{SLUG}.example", password=None)
        for i in range(buyers)
    ]
    Membership.objects.bulk_create(
        Membership(user=user, tenant=tenant, role=Membership.Role.MEMBER) for user in users
    )
    with schema_context(tenant.schema_name):
        hot = Product.objects.create(name="hot", sku="hot", price=PRICE, stock=HOT_STOCK)
        Product.objects.bulk_create(
            Product(name=f"product {i}", sku=f"p{i}", price=PRICE, stock=STOCK)
            for i in range(PRODUCTS)
        )
    return [user.pk for user in users], hot.pk


def sample(activity: Any, into: Counter[str]) -> None:
    """What each of the bench database's client backends (the workers') is doing now."""
    rows = activity.execute(
        "SELECT state, wait_event_type FROM pg_stat_activity"
        " WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
        [DB],
    ).fetchall()
    for state, wait in rows:
        if state == "active":
            kind = {None: "running", "Lock": "lock wait"}.get(wait, "other wait")
        elif state == "idle in transaction":
            kind = "in transaction, waiting on its worker"
        else:
            kind = "idle, worker between orders" if state == "idle" else str(state)
        into[kind] += 1


def run_case(
    task: tuple[str, int], seconds: float, queues: list[Any], results: Any, activity: Any
) -> tuple[Tally, Counter[str]]:
    """Let every worker go at the same moment; sample pg_stat_activity meanwhile."""
    case, part = task
    start_at = time.monotonic() + 0.5
    for tasks in queues:
        tasks.put((case, part, start_at, seconds))
    states: Counter[str] = Counter()
    while time.monotonic() < start_at + seconds:
        now = time.monotonic()
        if now >= start_at:
            sample(activity, states)
        time.sleep(SAMPLE_EVERY)
    total = Tally()
    for _ in queues:
        got, tally = results.get(timeout=seconds + 120)
        if got != case:
            raise SystemExit(f"a worker answered case {got} for {case}")
        total.add(Tally.of(tally))
    return total, states


def check(hot_id: int, placed: dict[str, int]) -> list[str]:
    """Stock against the orders placed; problems, if any."""
    from django.db.models import Sum
    from django_tenants.utils import schema_context

    from apps.catalog.models import Product
    from apps.orders.models import Order, OrderLine
    from apps.tenants.models import Tenant

    problems = []
    with schema_context(Tenant.objects.get(slug=SLUG).schema_name):
        hot = Product.objects.get(pk=hot_id).stock
        spread = Product.objects.exclude(pk=hot_id).aggregate(s=Sum("stock"))["s"]
        negative = Product.objects.filter(stock__lt=0).count()
        for case, count in placed.items():
            rows = Order.objects.filter(idempotency_key__startswith=f"{case}-").count()
            lines = OrderLine.objects.filter(order__idempotency_key__startswith=f"{case}-")
            if rows != count or lines.count() != count:
                problems.append(f"{case}: {count} placed, {rows} orders, {lines.count()} lines")
        on_hot = OrderLine.objects.filter(product_id=hot_id).count()
    if HOT_STOCK - hot != placed["A"] or on_hot != placed["A"]:
        problems.append(f"hot stock down {HOT_STOCK - hot}, {placed['A']} orders of A")
    if PRODUCTS * STOCK - spread != placed["B"] + placed["W"]:
        problems.append(
            f"1,000 products' stock down {PRODUCTS * STOCK - spread}, "
            f"B {placed['B']} + warm-up {placed['W']}"
        )
    if negative:
        problems.append(f"{negative} products with negative stock")
    return problems


def report(
    args: argparse.Namespace,
    figures: dict[str, tuple[Tally, Counter[str]]],
    problems: list[str],
    durability: str,
) -> None:
    rate = {case: tally.orders / args.seconds for case, (tally, _s) in figures.items()}
    print(
        f"\nsingle-line orders of 1 unit, {args.workers} worker processes (own connection "
        f"each, production settings), {args.buyers} buyers, {args.seconds:g} s a case in "
        f"{args.parts} slices, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end; "
        f"PostgreSQL {durability}"
    )
    print(f"{'case':34} {'orders':>7} {'orders/s':>9} {'ms/order':>9}  errors")
    for case, (tally, _states) in figures.items():
        per = tally.wall / tally.orders * 1000 if tally.orders else 0.0
        errors = dict(tally.errors) or "none"
        print(f"{case} {CASES[case]:32} {tally.orders:7d} {rate[case]:9.1f} {per:9.2f}  {errors}")
    ab = rate["A"] / rate["B"] if rate["B"] else 0.0
    bc = rate["B"] / rate["C"] if rate["C"] else 0.0
    print(
        f"A/B = {ab:.3f} (goal >= {GOAL}: {'met' if ab >= GOAL else 'NOT met'});  "
        f"B/C = {bc:.3f} (what reservation, job and outbox cost);  "
        f"A/C = {rate['A'] / rate['C'] if rate['C'] else 0.0:.3f}"
    )
    print(
        f"\nwhere the time goes, mean ms per order {'A':>8} {'B':>8} {'C':>8}"
        f"   statements per order A, B, C"
    )
    tallies = [tally for tally, _states in figures.values()]
    keys = [k for k in BUCKETS if any(t.buckets[k] for t in tallies)]
    keys += sorted({k for t in tallies for k in t.buckets} - set(keys))
    for key in keys:
        cells = "".join(
            f"{t.buckets[key] / t.orders * 1000:9.3f}" if t.orders else f"{'-':>9}" for t in tallies
        )
        counts = ", ".join(
            f"{t.statements[key] / t.orders:.2g}" if t.orders else "-" for t in tallies
        )
        print(f"  {BUCKETS.get(key, key):36}{cells}   {counts}")
    rest = "".join(
        f"{(t.wall - sum(t.buckets.values())) / t.orders * 1000:9.3f}" if t.orders else ""
        for t in tallies
    )
    print(f"  {'Python, the rest':36}{rest}")
    total = "".join(f"{t.wall / t.orders * 1000:9.3f}" if t.orders else "" for t in tallies)
    print(f"  {'total':36}{total}")
    statements = "".join(
        f"{(sum(t.statements.values()) - t.statements['HOOKS']) / t.orders:9.1f}"
        if t.orders
        else ""
        for t in tallies
    )
    print(f"  {'statements per order (with COMMIT)':36}{statements}")
    for label, attr in (("CPU: worker process", "worker_cpu"), ("CPU: its backend", "backend_cpu")):
        cells = "".join(
            f"{getattr(t, attr) / t.orders * 1000:9.3f}" if t.orders else "" for t in tallies
        )
        print(f"  {label:36}{cells}")
    ceiling = "".join(
        f"{(os.cpu_count() or 1) / (t.worker_cpu + t.backend_cpu) * t.orders:9.0f}"
        if t.worker_cpu + t.backend_cpu
        else ""
        for t in tallies
    )
    print(f"  {'orders/s the CPUs allow, if ours alone':36}{ceiling}")
    tally_a = figures["A"][0]
    if tally_a.orders:
        held = tally_a.held / tally_a.orders * 1000
        print(
            f"hot row locked per order in A (reservation UPDATE returns -> COMMIT ends): "
            f"{held:.3f} ms, so at most {1000 / held:.0f} orders/s on one product"
        )
    print(f"\nbackends in pg_stat_activity, every {SAMPLE_EVERY * 1000:.0f} ms, % of samples")
    kinds = sorted({k for _t, states in figures.values() for k in states})
    print(f"  {'':38}{'A':>7} {'B':>7} {'C':>7}")
    for kind in kinds:
        cells = " ".join(
            f"{states[kind] / max(1, sum(states.values())) * 100:7.1f}"
            for _t, states in figures.values()
        )
        print(f"  {kind:38}{cells}")
    if problems:
        print("\nchecked: FAILED\n  " + "\n  ".join(problems))
    else:
        print(
            f"\nchecked: hot stock down by exactly the {tally_a.orders} orders of A, the 1,000 "
            f"products' by exactly the {figures['B'][0].orders} of B and the "
            f"{WARM_UP * args.workers} of the warm-up; every order has its line; no stock "
            "negative"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per case")
    parser.add_argument("--workers", type=int, default=8, help="processes placing orders")
    parser.add_argument("--buyers", type=int, default=32, help="members who order")
    parser.add_argument(
        "--parts", type=int, default=5, help="slices a case's seconds are run in, A B C in turn"
    )
    args = parser.parse_args()
    if args.seconds <= 0 or min(args.workers, args.buyers, args.parts) < 1:
        parser.error("needs positive --seconds, --workers, --buyers and --parts")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below cleans up

    servers.databases_reset(DB)
    context = mp.get_context("spawn")  # fresh interpreters: nothing shared with this one
    procs: list[Any] = []
    try:
        import django
        import psycopg

        django.setup()
        from django.db import connections

        buyer_ids, hot_id = setup(args.buyers)
        connections.close_all()
        results = context.Queue()
        queues = [context.Queue() for _ in range(args.workers)]
        for number, tasks in enumerate(queues):
            proc = context.Process(
                target=worker, args=(number, tasks, results, buyer_ids, hot_id), daemon=True
            )
            proc.start()
            procs.append(proc)
        for _ in procs:
            results.get(timeout=120)  # ready
        figures = {case: (Tally(), Counter[str]()) for case in CASES}
        slice_ = args.seconds / args.parts
        url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as activity:
            durability = ", ".join(
                f"{name}={activity.execute(f'SHOW {name}').fetchone()[0]}"  # type: ignore[index]
                for name in ("fsync", "synchronous_commit")
            )
            for part in range(args.parts):
                for case, (tally, states) in figures.items():
                    more, seen = run_case((case, part), slice_, queues, results, activity)
                    tally.add(more)
                    states.update(seen)
                    print(f"part {part + 1}, case {case}: {more.orders / slice_:.1f} orders/s")
        for tasks in queues:
            tasks.put(None)
        for proc in procs:
            proc.join(timeout=30)
        placed = {case: tally.orders for case, (tally, _s) in figures.items()}
        problems = check(hot_id, {**placed, "W": WARM_UP * args.workers})
        report(args, figures, problems, durability)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()
        from django.db import connections

        connections.close_all()
        servers.databases_drop(DB)


if __name__ == "__main__":
    main()
