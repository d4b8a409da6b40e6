"""`/healthz`: may a load balancer send this app server traffic?

Four cheap checks, each timed: the database (one trivial query), the cache (a
set and get round trip, bounded by the cache's own short timeouts), the
default storage (a small write and delete) and the background worker (its
last heartbeat, see `siteconf.tasks`). The answer is 200 with a small JSON
body, or 503 naming the failing checks. It is never cached and touches no
session, so it sets no cookie.
"""

import datetime
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from siteconf.tasks import last_heartbeat

logger = logging.getLogger(__name__)

# The scheduler queues a heartbeat every minute and the worker runs it within
# seconds, so a few missed minutes mean the worker is down or stuck.
WORKER_STALE_AFTER = datetime.timedelta(minutes=5)
STORAGE_PROBE_NAME = "healthz/probe.txt"


class CheckFailed(Exception):
    """A check ran but found something wrong, with a message safe to show."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # One key per process, so probes from many servers never collide and
    # never pile up; a fresh token, so a value left over cannot pass.
    key = f"healthz:{socket.gethostname()}:{os.getpid()}"
    token = secrets.token_hex(8)
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise CheckFailed("the cache did not return the value just set")


def check_storage() -> None:
    name = default_storage.save(STORAGE_PROBE_NAME, ContentFile(b"ok\n"))
    default_storage.delete(name)


def check_worker() -> None:
    beat = last_heartbeat(fresh_within=WORKER_STALE_AFTER)
    if beat is None:
        raise CheckFailed("no heartbeat from the background worker yet")
    age = timezone.now() - beat
    if age > WORKER_STALE_AFTER:
        raise CheckFailed(
            f"stale: the worker's last heartbeat was {age.total_seconds():.0f} s ago"
        )


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "worker": check_worker,
}


def run_check(name: str, check: Callable[[], None]) -> dict:
    """The outcome of one check and how long it took. Exception details can
    name hosts and ports, so the response gives only the kind of error and the
    log gets the rest."""
    started = time.perf_counter()
    outcome = {"ok": True}
    try:
        check()
    except CheckFailed as failure:
        logger.warning("Health check %r failed: %s", name, failure)
        outcome = {"ok": False, "error": str(failure)}
    except Exception as error:
        logger.warning("Health check %r failed", name, exc_info=True)
        outcome = {"ok": False, "error": type(error).__name__}
    outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when every check passes, else 503 naming the
    failing ones."""
    checks = {}
    for name, check in CHECKS.items():
        if name == "worker" and not checks["database"]["ok"]:
            # Its row is in the database: a second wait for the pool's
            # timeout would only delay the answer.
            checks[name] = {
                "ok": False,
                "error": "not checked: database down",
                "ms": 0.0,
            }
            continue
        checks[name] = run_check(name, check)
    failing = [name for name, outcome in checks.items() if not outcome["ok"]]
    body = {"status": "fail" if failing else "ok", "checks": checks}
    if failing:
        body["failing"] = failing
    response = JsonResponse(body, status=503 if failing else 200)
    # run_check() logs each failure as a warning. Django would log every 503
    # as an error too and mail it to the admins, once per probe per server.
    response._has_been_logged = True
    return response
