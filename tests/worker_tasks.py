"""Tasks for the tests that run a real `db_worker` process, which imports
them by name (`tests.worker_tasks.…`)."""

import time
from pathlib import Path

from django.tasks import task


@task
def touch(path: str) -> str:
    """Leave a file behind, to show the task ran."""
    Path(path).write_text("done")
    return path


@task
def hold(started: str, release: str, limit: float = 60) -> str:
    """Say it started, then wait until the test releases it."""
    Path(started).write_text("started")
    deadline = time.monotonic() + limit
    while not Path(release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    return "released"
