"""Background tasks are stored in the database and run by `db_worker`."""

import os

from django.core.management import call_command
from django.tasks import task, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


@task
def double(number: int) -> int:
    return 2 * number


def test_the_database_backend_is_the_default():
    """Tasks persist in the database unless DJANGO_TASKS_BACKEND says otherwise."""
    assert isinstance(task_backends["default"], DatabaseBackend)


def test_a_task_waits_in_the_database_until_the_worker_runs_it(transactional_db):
    """Enqueued: a row; after `db_worker --batch`: its result."""
    result = double.enqueue(21)
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
    with open(os.devnull, "w") as quiet:
        call_command(
            "db_worker", batch=True, startup_delay=False, reload=False, stdout=quiet
        )
    result.refresh()
    assert result.return_value == 42
