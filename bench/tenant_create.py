"""Creating a tenant by cloning the template schema vs by replaying migrations.

Both run in the same process, against the same PostgreSQL, alternating, on a database
of their own (kura_bench) that is dropped at the end. Prints each time and the ratio.

    make bench            # or: .venv/bin/python bench/tenant_create.py --rounds 5
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
PG_PORT = os.environ.get("KURA_PG_PORT", "55432")
ADMIN_URL = f"postgres://kura:kura@127.0.0.1:{PG_PORT}/postgres"
os.environ["DATABASE_URL"] = f"postgres://kura:kura@127.0.0.1:{PG_PORT}/kura_bench"


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS kura_bench WITH (FORCE)")
        db.execute("CREATE DATABASE kura_bench")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS kura_bench WITH (FORCE)")


def create_by_migrations(schema_name: str) -> None:
    """What creating a tenant costs without a template: an empty schema, every migration."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
    call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def ms(seconds: list[float]) -> str:
    return ", ".join(f"{x * 1000:.0f}" for x in seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    from apps.tenants.services import tenant_create

    call_command("migrate_all", verbosity=0)
    clone, migrate = [], []
    try:
        for i in range(args.rounds):
            start = time.perf_counter()
            tenant_create(name=f"Clone {i}", slug=f"clone-{i}")
            clone.append(time.perf_counter() - start)

            start = time.perf_counter()
            create_by_migrations(f"migrate_{i}")
            migrate.append(time.perf_counter() - start)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database()

    c, m = statistics.median(clone), statistics.median(migrate)
    print(f"tenant_create, {args.rounds} rounds each, medians:")
    print(f"  clone from template : {c * 1000:8.1f} ms  (all: {ms(clone)})")
    print(f"  replay migrations   : {m * 1000:8.1f} ms  (all: {ms(migrate)})")
    print(f"  ratio clone/migrate : {c / m:.3f}   (goal <= 0.2)")


if __name__ == "__main__":
    main()
