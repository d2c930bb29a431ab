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
