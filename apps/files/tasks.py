from dataclasses import asdict

from apps.files.services import files_sweep
from config.celery import app


@app.task(ignore_result=True, expires=600)
def files_sweep_task() -> dict[str, int]:
    """Beat, every FILES_SWEEP_SECONDS (config/settings/celery.py): abandoned uploads,
    orphaned multipart uploads and old quarantined objects of every company."""
    return asdict(files_sweep())
