"""Tasks for the tests that run a real `db_worker` process, which imports
them by name (`tests.worker_tasks.…`)."""

import time
from pathlib import Path

from django.tasks import task

from siteconf.background import retrying


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


@retrying(max_attempts=3, first_delay=1)
def fails_once(marker: str, done: str, attempt: int = 1) -> int:
    """Fail on the first attempt (leaving `marker`), succeed on the retry."""
    if not Path(marker).exists():
        Path(marker).write_text("failed once")
        raise ConnectionError("the first attempt fails")
    Path(done).write_text(str(attempt))
    return attempt
