"""Tasks loaded only by the test worker (celery --include)."""

from django.db import connection

from config.celery import app


@app.task
def where_am_i_task() -> dict[str, str]:
    """Where the task ran, as Django and as PostgreSQL see it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (db_schema,) = cursor.fetchone()
    return {"schema_name": connection.schema_name, "db_schema": db_schema}


# The public tables every tenant shares, under row-level security (apps.tenants.rowsecurity).
SHARED_TABLES = (
    "accounts_membership",
    "accounts_refreshtoken",
    "accounts_apikey",
    "accounts_invitation",
    "jobs_job",
)


def shared_rows() -> dict[str, object]:
    """The role, and the ids raw SQL finds in each shared table with no tenant filter at all,
    as code that forgot its filter would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        found: dict[str, object] = {"role": cursor.fetchone()[0]}
        for table in SHARED_TABLES:
            cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608 - fixed names
            found[table] = [row[0] for row in cursor.fetchall()]
    return found


@app.task
def shared_rows_task() -> dict[str, object]:
    return shared_rows()
