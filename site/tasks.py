"""The worker's heartbeat: the scheduler queues it every minute, the worker
runs it, and `/healthz` reports the worker as stale when it stops."""

import contextlib
import datetime

from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from siteconf.models import Heartbeat

HEARTBEAT_NAME = "worker"
HEARTBEAT_CACHE_KEY = "health:worker-heartbeat"


@task
def heartbeat() -> str:
    """Record that a worker is running tasks: in the cache, read by every
    health check, and in a row, which outlives a cache restart."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"beat_at": now})
    # The row is enough when the cache is down; /healthz reports that itself.
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
