"""Run queued background tasks inside a test, the way `db_worker` runs them."""

import logging

from django.db import connection, transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def commit() -> None:
    """Run the after-commit callbacks that the test's own transaction holds
    back, once each, as the commit of the code under test would have.

    Don't mix with `django_capture_on_commit_callbacks(execute=True)` in one
    test: that runs the same callbacks without removing them.
    """
    while connection.run_on_commit:
        _savepoints, callback, robust = connection.run_on_commit.pop(0)
        try:
            callback()
        except Exception:
            if not robust:
                raise
            logging.getLogger(__name__).exception("On-commit callback failed.")


def run_tasks(limit: int = 100, commit_first: bool = False) -> int:
    """Run every task that is due now (tasks they enqueue included); return
    how many ran. Uses the worker's own code for claiming and recording.

    With `commit_first`, the tasks that the test's transaction would have
    enqueued on commit are enqueued first (see `commit()`).
    """
    if commit_first:
        commit()
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
