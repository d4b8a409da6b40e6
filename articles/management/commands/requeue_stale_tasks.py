"""Put tasks whose worker died back in the queue (for cron, or with --loop).

django-tasks-db marks a task RUNNING when a worker claims it and never looks
at it again: if that worker is killed (SIGKILL, out of memory, a lost
machine) the task stays RUNNING for ever. Every task here is safe to repeat,
so one left RUNNING for longer than any task takes is made READY again, and
one that was started too many times is marked FAILED instead.
"""

import datetime
import logging
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def requeue_stale_tasks(
    older_than: datetime.timedelta, max_starts: int
) -> tuple[list[str], list[str]]:
    """Requeue tasks RUNNING since before `older_than` ago; fail those already
    started `max_starts` times. Returns the ids requeued and failed."""
    now = timezone.now()
    requeued, failed = [], []
    with transaction.atomic():
        stale = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=now - older_than)
            .select_for_update(skip_locked=True)
        )
        for result in stale:
            starts = len(result.worker_ids)
            if starts >= max_starts:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = "background.WorkerLost"
                result.traceback = (
                    f"background.WorkerLost: started {starts} times (by workers "
                    f"{', '.join(result.worker_ids)}) and never finished; each "
                    "worker stopped while running it. Not retried again."
                )
                result.save(
                    update_fields=[
                        "status",
                        "finished_at",
                        "exception_class_path",
                        "traceback",
                    ]
                )
                logger.error(
                    "Task %s %s was started %s times and never finished; failed.",
                    result.id,
                    result.task_path,
                    starts,
                )
                failed.append(str(result.id))
            else:
                result.status = TaskResultStatus.READY
                result.save(update_fields=["status"])
                logger.warning(
                    "Task %s %s was left running by worker %s since %s; requeued.",
                    result.id,
                    result.task_path,
                    result.worker_ids[-1] if result.worker_ids else "?",
                    result.started_at,
                )
                requeued.append(str(result.id))
    return requeued, failed


class Command(BaseCommand):
    help = (
        "Requeue background tasks left RUNNING by a worker that stopped (killed, "
        "out of memory, machine lost); fail those started too many times."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=30,
            metavar="MINUTES",
            help="Running for longer than any task takes (default: 30).",
        )
        parser.add_argument(
            "--max-starts",
            type=int,
            default=3,
            help="Fail a task instead once it was started this often (default: 3).",
        )
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Keep running, checking every SECONDS.",
        )

    def handle(self, *args, older_than, max_starts, loop=None, **options):
        while True:
            requeued, failed = requeue_stale_tasks(
                datetime.timedelta(minutes=older_than), max_starts
            )
            for task_id in requeued:
                self.stdout.write(f"requeued {task_id}")
            for task_id in failed:
                self.stdout.write(f"failed {task_id}")
            if not loop:
                return
            time.sleep(loop)
