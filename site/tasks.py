"""The worker's heartbeat and the task queue, as `/healthz/status` reports
them: the scheduler queues a heartbeat every minute, the worker runs it, and
a heartbeat that stops coming, or tasks that wait long, show the worker is
down or behind."""

import contextlib
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, Min, Q, When
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from siteconf.models import Heartbeat

HEARTBEAT_NAME = "worker"
HEARTBEAT_CACHE_KEY = "health:worker-heartbeat"
DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"


@task
def heartbeat() -> str:
    """Record that a worker is running tasks: in the cache, read by every
    health check, and in a row, which outlives a cache restart."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"beat_at": now})
    # The row is enough when the cache is down; the status reports that itself.
    with contextlib.suppress(Exception):
        cache.set(HEARTBEAT_CACHE_KEY, now, timeout=24 * 3600)
    return now.isoformat()


def last_heartbeat(fresh_within: datetime.timedelta) -> datetime.datetime | None:
    """When the worker last ran `heartbeat`. The cache answers when its time
    is within `fresh_within`; otherwise the row, written first, decides (the
    cache may have missed beats while it was down)."""
    try:
        beat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:
        beat = None
    if beat is not None and timezone.now() - beat <= fresh_within:
        return beat
    return (
        Heartbeat.objects.filter(name=HEARTBEAT_NAME)
        .values_list("beat_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class QueueDepth:
    """Tasks waiting for a worker: `ready` ones are due now, the oldest of
    them since `oldest_ready_since`; `scheduled` ones (retries) wait for a
    later time."""

    ready: int
    scheduled: int
    oldest_ready_since: datetime.datetime | None


def queue_depth() -> QueueDepth | None:
    """The default queue's depth, from the database or from RQ's Redis; None
    for a backend that keeps no queue (tasks run in the web process)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == DATABASE_BACKEND:
        return database_queue_depth()
    if backend == RQ_BACKEND:
        return rq_queue_depth()
    return None


def database_queue_depth() -> QueueDepth:
    # A task without a time of its own has run_after at the far future and
    # is due since it was queued; a retry is due from its run_after.
    whenever = get_date_max()
    due = Q(run_after=whenever) | Q(run_after__lte=timezone.now())
    found = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        ready=Count("pk", filter=due),
        scheduled=Count("pk", filter=~due),
        oldest=Min(
            Case(When(run_after=whenever, then="enqueued_at"), default="run_after"),
            filter=due,
        ),
    )
    return QueueDepth(found["ready"], found["scheduled"], found["oldest"])


def rq_queue_depth() -> QueueDepth:
    import django_rq  # installed only with the RQ backend

    queue = django_rq.get_queue("default")
    oldest = None
    if first := queue.get_job_ids(0, 1):
        job = queue.fetch_job(first[0])
        oldest = job.enqueued_at if job else None
    return QueueDepth(queue.count, queue.scheduled_job_registry.count, oldest)
