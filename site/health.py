"""Health: `/healthz` for load balancers, `/healthz/status` for monitoring.

`/healthz` asks one question about this app server alone: can it serve
pages? Only an unreachable database stops it (503). A cache that does not
answer makes it "degraded", still 200: pages work without Redis, only
slower, and Redis is shared, so failing on it would take every server out at
once. It runs one query and one cache read, and writes nothing.

`/healthz/status` reports what every server shares and the people running
the site must hear about: the background worker (its heartbeat), the task
queue (tasks waiting, and for how long), the media storage (read at most
once a minute for all the processes that share the cache) and the cache.
Each check has a level, ok, warning or critical, and the worst is the
overall status. It answers 200 whatever it finds, so that it can never be
mistaken for a readiness check, and only to private network addresses.

Neither is cached, touches the session or sets a cookie. A failure's details
(hosts, ports) go to the log; the body names only the kind of error.
"""

import contextlib
import datetime
import ipaddress
import logging
import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from siteconf.tasks import last_heartbeat, queue_depth

logger = logging.getLogger(__name__)

OK, WARNING, CRITICAL = "ok", "warning", "critical"
SEVERITY = {OK: 0, WARNING: 1, CRITICAL: 2}

# The scheduler queues a heartbeat every minute and the worker runs it within
# seconds. A few missed beats can be one long task; a quarter of an hour
# without one means no worker (or no scheduler) is running.
WORKER_LATE_AFTER = datetime.timedelta(minutes=5)
WORKER_DOWN_AFTER = datetime.timedelta(minutes=15)
# Tasks due and not started: emails, purges and indexing are running late.
QUEUE_LATE_AFTER = datetime.timedelta(minutes=5)
QUEUE_STUCK_AFTER = datetime.timedelta(minutes=30)
# A storage read is a request to object storage: once a minute is plenty to
# notice a lost bucket or revoked credentials, and one that hangs is given up
# on after a few seconds.
STORAGE_CHECK_EVERY = 60
STORAGE_TIMEOUT = 5.0
# After the database failed, this process answers 503 at once for a moment,
# so a burst of probes does not each wait out the pool's timeout.
DATABASE_RECHECK_AFTER = 2.0

CACHE_PROBE_KEY = "health:probe"
STORAGE_RESULT_KEY = "health:storage"
STORAGE_CLAIM_KEY = "health:storage-claim"


def measure(name: str, check: Callable[[], dict], failed: str = CRITICAL) -> dict:
    """The outcome of one check (a dict with its `level`) and its time in ms.
    A check that raises gets the level `failed` and the kind of error only:
    exception details can name hosts and ports, so the log gets those."""
    started = time.perf_counter()
    try:
        outcome = check()
    except Exception as error:
        logger.warning("Health check %r failed", name, exc_info=True)
        outcome = {"level": failed, "error": type(error).__name__}
    outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"level": OK}


def check_cache() -> dict:
    # A read proves the cache answers. Writing a shared key would let two
    # threads' probes overwrite each other's value and fail falsely.
    cache.get(CACHE_PROBE_KEY)
    return {"level": OK}


def check_worker() -> dict:
    beat = last_heartbeat(fresh_within=WORKER_LATE_AFTER)
    if beat is None:
        return {
            "level": CRITICAL,
            "error": "no heartbeat recorded: is the scheduler or the worker running?",
        }
    age = max(timezone.now() - beat, datetime.timedelta(0))
    outcome = {
        "level": OK,
        "last_beat": beat.isoformat(),
        "age_s": round(age.total_seconds()),
    }
    if age > WORKER_LATE_AFTER:
        outcome["level"] = CRITICAL if age > WORKER_DOWN_AFTER else WARNING
        outcome["error"] = f"no heartbeat for {outcome['age_s']} s"
    return outcome


def check_queue() -> dict:
    depth = queue_depth()
    if depth is None:
        return {"level": OK, "detail": "no queue: tasks run in the web process"}
    waited = datetime.timedelta(0)
    if depth.oldest_ready_since is not None:
        waited = max(timezone.now() - depth.oldest_ready_since, waited)
    outcome = {
        "level": OK,
        "ready": depth.ready,
        "scheduled": depth.scheduled,
        "oldest_ready_age_s": round(waited.total_seconds()),
    }
    if waited > QUEUE_LATE_AFTER:
        outcome["level"] = CRITICAL if waited > QUEUE_STUCK_AFTER else WARNING
        outcome["error"] = f"a task due {outcome['oldest_ready_age_s']} s ago waits"
    return outcome


class StorageProbe:
    """Reads the default storage (a listing of its top folder: read-only,
    and for a bucket one request) at most once every STORAGE_CHECK_EVERY
    seconds for all the processes that share the cache: the one that claims
    the turn checks and keeps the result in the cache, the others read it.
    Should the cache be down, each process checks for itself, as seldom.

    The read runs in a thread of its own and is waited for STORAGE_TIMEOUT
    seconds at most; while a read that hung has not returned, no other is
    started, so a storage that never answers holds one thread, not one per
    minute."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reading: threading.Thread | None = None
        self.reading_since = 0.0
        self.local_result: dict | None = None
        self.local_claim_at = float("-inf")

    def status(self) -> dict:
        result = self.last_result()
        if result is None or time.time() - result["at"] >= STORAGE_CHECK_EVERY:
            if self.claim():
                result = self.read()
                self.keep(result)
            elif result is None:
                result = self.wait_for_result()
        return self.report(result)

    def last_result(self) -> dict | None:
        try:
            return cache.get(STORAGE_RESULT_KEY)
        except Exception:
            return self.local_result

    def claim(self) -> bool:
        # One claim per period, named by the period: the first process to add
        # it reads. (A key that expires after the period would do, but the
        # cache's clock is not ours: the tests move ours.)
        period = int(time.time() // STORAGE_CHECK_EVERY)
        try:
            return cache.add(
                f"{STORAGE_CLAIM_KEY}:{period}", True, timeout=2 * STORAGE_CHECK_EVERY
            )
        except Exception:
            with self.lock:
                if time.time() - self.local_claim_at < STORAGE_CHECK_EVERY:
                    return False
                self.local_claim_at = time.time()
                return True

    def keep(self, result: dict) -> None:
        self.local_result = result
        # A cache that is down is the cache check's to report.
        with contextlib.suppress(Exception):
            cache.set(STORAGE_RESULT_KEY, result, timeout=10 * STORAGE_CHECK_EVERY)

    def wait_for_result(self) -> dict | None:
        """Another process is reading the storage: wait for its result, no
        longer than the read may take."""
        deadline = time.monotonic() + STORAGE_TIMEOUT + 1
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if (result := self.last_result()) is not None:
                return result
        return None

    def read(self) -> dict:
        with self.lock:
            if self.reading is not None and self.reading.is_alive():
                hung_for = time.monotonic() - self.reading_since
                logger.warning("Storage check: a read has hung for %.0f s", hung_for)
                return {
                    "ok": False,
                    "error": f"the last read has not returned after {hung_for:.0f} s",
                    "ms": 0.0,
                    "at": time.time(),
                }
            outcome: dict = {}
            self.reading = threading.Thread(
                target=self.read_storage, args=(outcome,), daemon=True
            )
            self.reading_since = time.monotonic()
            self.reading.start()
            reading = self.reading
        reading.join(STORAGE_TIMEOUT)
        if reading.is_alive():
            logger.warning("Storage check: no answer within %g s", STORAGE_TIMEOUT)
            outcome = {
                "ok": False,
                "error": f"no answer within {STORAGE_TIMEOUT:g} s",
                "ms": STORAGE_TIMEOUT * 1000,
            }
        return {**outcome, "at": time.time()}

    @staticmethod
    def read_storage(outcome: dict) -> None:
        started = time.perf_counter()
        try:
            default_storage.listdir("")
            outcome["ok"] = True
        except Exception as error:
            logger.warning("Health check 'storage' failed", exc_info=True)
            outcome.update(ok=False, error=type(error).__name__)
        outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)

    @staticmethod
    def report(result: dict | None) -> dict:
        if result is None:
            return {"level": WARNING, "error": "not checked yet", "ms": 0.0}
        checked_at = datetime.datetime.fromtimestamp(result["at"], datetime.UTC)
        outcome = {
            "level": OK if result["ok"] else CRITICAL,
            "checked_at": checked_at.isoformat(timespec="seconds"),
            "age_s": max(round(time.time() - result["at"]), 0),
            "ms": result["ms"],
        }
        if not result["ok"]:
            outcome["error"] = result["error"]
        return outcome


storage_probe = StorageProbe()
_database_failed_at: float | None = None


def database_readiness() -> dict:
    """The database check, or its failure of a moment ago without asking
    again (see DATABASE_RECHECK_AFTER)."""
    global _database_failed_at
    failed_at = _database_failed_at
    if failed_at is not None and time.monotonic() - failed_at < DATABASE_RECHECK_AFTER:
        return {
            "level": CRITICAL,
            "error": f"failed under {DATABASE_RECHECK_AFTER:g} s ago",
            "ms": 0.0,
        }
    outcome = measure("database", check_database)
    _database_failed_at = None if outcome["level"] == OK else time.monotonic()
    return outcome


def from_private_network(request: HttpRequest) -> bool:
    """Whether the client's address (taken from X-Forwarded-For by
    ClientAddressMiddleware behind our own proxies) is loopback or private."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_private or address.is_loopback


def answer(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # measure() logs each failure as a warning. Django would log every 503 as
    # an error too and mail it to the admins, once per probe per server.
    response._has_been_logged = True
    return response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 while this server can serve pages ("ok", or
    "degraded" with the cache down), 503 while its database is unreachable."""
    checks = {
        "database": database_readiness(),
        "cache": measure("cache", check_cache, failed=WARNING),
    }
    failing = [name for name, outcome in checks.items() if outcome["level"] != OK]
    serving = checks["database"]["level"] == OK
    body = {
        "status": "fail" if not serving else "degraded" if failing else "ok",
        "checks": {
            name: {"ok": outcome["level"] == OK}
            | {key: outcome[key] for key in ("error", "ms") if key in outcome}
            for name, outcome in checks.items()
        },
    }
    if failing:
        body["failing"] = failing
    return answer(body, status=200 if serving else 503)


@never_cache
@require_safe
def status(request: HttpRequest) -> JsonResponse:
    """For monitoring, from private networks only: the worker, the queue,
    the storage, the cache and the database, each ok, warning or critical,
    and the worst as `status`. Always 200 (403 from elsewhere)."""
    if not from_private_network(request):
        return answer({"error": "only from private networks"}, status=403)
    checks = {"database": measure("database", check_database)}
    checks["cache"] = measure("cache", check_cache, failed=WARNING)
    for name, check in (("worker", check_worker), ("queue", check_queue)):
        if checks["database"]["level"] == OK:
            checks[name] = measure(name, check)
        else:
            # Both read the database: a second wait for the pool's timeout
            # would only delay the answer.
            checks[name] = {"level": CRITICAL, "error": "not checked: database down"}
    checks["storage"] = storage_probe.status()
    levels = [outcome["level"] for outcome in checks.values()]
    return answer(
        {
            "status": max(levels, key=SEVERITY.__getitem__),
            "problems": [
                name for name, check in checks.items() if check["level"] != OK
            ],
            "checks": checks,
        }
    )
