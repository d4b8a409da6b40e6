"""/healthz (readiness: this server only) and /healthz/status (monitoring:
the worker, the queue, the storage), in process; the last test puts the
documented nginx in front. tests/stack/test_gunicorn.py runs both against
real gunicorn processes."""

import datetime
import http.client
import json
import logging
import shutil
import ssl
import tempfile
import threading
import time
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from siteconf import health
from siteconf.models import Heartbeat
from siteconf.tasks import heartbeat
from tests.conftest import needs_redis
from tests.tasks import run_tasks
from tests.worker_tasks import touch

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
PUBLIC_ADDRESS = "93.184.216.34"


class RecordingStorage(FileSystemStorage):
    """The filesystem storage, noting every method the health checks call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []

    def listdir(self, path):
        self.calls.append("listdir")
        return super().listdir(path)

    def exists(self, name):
        self.calls.append("exists")
        return super().exists(name)

    def save(self, name, content, max_length=None):
        self.calls.append("save")
        return super().save(name, content, max_length)

    def delete(self, name):
        self.calls.append("delete")
        return super().delete(name)


class HangingStorage(FileSystemStorage):
    """A storage whose listing never returns until `release` is set."""

    release = threading.Event()

    def listdir(self, path):
        self.release.wait(30)
        return [], []


@pytest.fixture(autouse=True)
def fresh_probes(monkeypatch, settings, tmp_path):
    """Each test starts with no storage result, no remembered database
    failure, and media in an empty temporary folder it may read."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    monkeypatch.setattr(health, "storage_probe", health.StorageProbe())
    monkeypatch.setattr(health, "_database_failed_at", None)


@pytest.fixture
def storage(monkeypatch, settings):
    """The default storage as the checks see it, recording their calls."""
    recording = RecordingStorage(location=settings.MEDIA_ROOT)
    monkeypatch.setattr(health, "default_storage", recording)
    return recording


@pytest.fixture
def beating(db):
    """The worker ran its heartbeat at NOW."""
    with time_machine.travel(NOW, tick=False):
        heartbeat.call()
    return NOW


def get(client, url: str, **extra) -> tuple[int, dict]:
    response = client.get(url, **extra)
    return response.status_code, json.loads(response.content)


# /healthz ---------------------------------------------------------------------


def test_ready_with_200_the_database_and_the_cache(client, beating):
    """Two checks, each ok with its time in ms."""
    status, body = get(client, "/healthz")
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "ms": body["checks"]["database"]["ms"]},
            "cache": {"ok": True, "ms": body["checks"]["cache"]["ms"]},
        },
    }
    assert isinstance(body["checks"]["database"]["ms"], float)


def test_readiness_runs_one_query_and_never_touches_storage(
    client, beating, storage, django_assert_num_queries
):
    """Cheap: SELECT 1 is the only query, and the storage is not called."""
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200
    assert storage.calls == []


def test_a_stopped_worker_does_not_take_the_server_out(client, beating):
    """Hours without a heartbeat: /healthz stays 200; the status reports it."""
    with time_machine.travel(beating + datetime.timedelta(hours=3)):
        ready, body = get(client, "/healthz")
        _, status = get(client, "/healthz/status")
    assert (ready, body["status"]) == (200, "ok")
    assert status["checks"]["worker"]["level"] == "critical"


def test_no_heartbeat_at_all_is_ready(client, db):
    """Under `make run`, before the worker's first beat: 200."""
    assert client.get("/healthz").status_code == 200


def test_a_cache_that_is_down_is_degraded_with_200(client, beating, dead_redis):
    """Redis on a closed port: pages work without it, so 200, reported as
    degraded naming the cache, answered quickly."""
    status, body = get(client, "/healthz")
    assert status == 200
    assert body["status"] == "degraded"
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": body["checks"]["cache"]["ms"],
    }
    assert body["checks"]["cache"]["ms"] < 2000


def test_a_failed_database_is_answered_at_once_for_a_moment(client, db, monkeypatch):
    """After a failure, probes in the next 2 s get 503 without waiting for
    the database again; after that it is asked again."""
    calls = []

    def unreachable():
        calls.append(1)
        raise ConnectionError("no route to 10.0.0.9:5432")

    monkeypatch.setattr(health, "check_database", unreachable)
    for _ in range(20):
        status, body = get(client, "/healthz")
        assert status == 503
        assert body["status"] == "fail" and body["failing"] == ["database"]
    assert calls == [1]
    health._database_failed_at -= health.DATABASE_RECHECK_AFTER
    assert client.get("/healthz").status_code == 503
    assert calls == [1, 1]
    assert "10.0.0.9" not in json.dumps(body)


def test_probes_are_never_cached_and_set_no_cookie(client, beating, settings):
    """no-store, no Set-Cookie, no Vary: Cookie, with Django's cache
    middleware wrapped around the whole stack."""
    settings.MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    for url in ("/healthz", "/healthz/status"):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
    with time_machine.travel(beating + datetime.timedelta(minutes=10)):
        assert get(client, "/healthz/status")[1]["status"] == "warning"


def test_a_failing_probe_is_not_mailed_as_a_server_error(
    client, db, monkeypatch, mailoutbox, settings, caplog
):
    """A 503 is logged as a warning, never as an error ADMINS get by email."""
    monkeypatch.setattr(health, "check_database", lambda: 1 / 0)
    settings.ADMINS = ["ops@example.org"]
    settings.DEBUG = False
    with caplog.at_level(logging.WARNING):
        assert client.get("/healthz").status_code == 503
    assert "Health check 'database' failed" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert mailoutbox == []


# /healthz/status ---------------------------------------------------------------


def test_status_is_ok_with_every_check(client, beating, storage):
    """Database, cache, worker, queue and storage, each ok, with 200."""
    with time_machine.travel(beating + datetime.timedelta(seconds=70)):
        status, body = get(client, "/healthz/status")
    assert status == 200
    assert body["status"] == "ok"
    assert body["problems"] == []
    assert list(body["checks"]) == ["database", "cache", "worker", "queue", "storage"]
    assert {check["level"] for check in body["checks"].values()} == {"ok"}
    assert body["checks"]["worker"]["age_s"] == 70
    assert body["checks"]["queue"] == {
        "level": "ok",
        "ready": 0,
        "scheduled": 0,
        "oldest_ready_age_s": 0,
        "ms": body["checks"]["queue"]["ms"],
    }
    assert storage.calls == ["listdir"]


@pytest.mark.parametrize(
    "minutes, level", [(4, "ok"), (6, "warning"), (16, "critical")]
)
def test_the_worker_is_late_after_5_minutes_and_down_after_15(
    client, beating, minutes, level
):
    """The scheduler queues a beat every minute: the status says how late."""
    with time_machine.travel(beating + datetime.timedelta(minutes=minutes)):
        status, body = get(client, "/healthz/status")
        assert client.get("/healthz").status_code == 200
    assert status == 200
    assert body["status"] == level
    assert body["checks"]["worker"]["level"] == level
    assert body["checks"]["worker"]["age_s"] == minutes * 60
    if level != "ok":
        assert body["problems"] == ["worker"]
        assert body["checks"]["worker"]["error"] == f"no heartbeat for {minutes * 60} s"


def test_no_heartbeat_at_all_is_critical(client, db):
    """A worker (or scheduler) that never ran one is reported."""
    _, body = get(client, "/healthz/status")
    assert body["checks"]["worker"]["level"] == "critical"
    assert "no heartbeat recorded" in body["checks"]["worker"]["error"]


def test_the_row_decides_when_the_cached_beat_is_old(client, beating):
    """A cache that missed beats (it was down) does not make the worker
    look late while its row is fresh."""
    later = beating + datetime.timedelta(minutes=30)
    Heartbeat.objects.filter(name="worker").update(beat_at=later)
    with time_machine.travel(later + datetime.timedelta(seconds=5)):
        _, body = get(client, "/healthz/status")
    assert body["checks"]["worker"]["level"] == "ok"


def test_the_scheduled_heartbeat_runs_on_the_worker(client, db):
    """`manage.py heartbeat` queues the task, which waits in the queue until
    the worker's run of it turns the worker check ok."""
    call_command("heartbeat")
    assert DBTaskResult.objects.get().task_path == "siteconf.tasks.heartbeat"
    _, body = get(client, "/healthz/status")
    assert body["checks"]["worker"]["level"] == "critical"
    assert body["checks"]["queue"]["ready"] == 1
    assert run_tasks() == 1
    _, body = get(client, "/healthz/status")
    assert body["checks"]["worker"]["level"] == "ok"
    assert body["checks"]["queue"]["ready"] == 0


@pytest.mark.parametrize(
    "waited, level", [(4, "ok"), (10, "warning"), (45, "critical")]
)
def test_the_queue_reports_tasks_waiting_and_the_oldest(client, beating, waited, level):
    """Due tasks are counted with the age of the oldest; a retry waiting for
    its time is counted apart and is not late."""
    queued_at = beating - datetime.timedelta(minutes=waited)
    with time_machine.travel(queued_at, tick=False):
        touch.enqueue("/nonexistent/a")
        touch.enqueue("/nonexistent/b")
        touch.using(run_after=NOW + datetime.timedelta(hours=1)).enqueue("/x/later")
    with time_machine.travel(beating, tick=False):
        _, body = get(client, "/healthz/status")
    queue = body["checks"]["queue"]
    assert (queue["ready"], queue["scheduled"]) == (2, 1)
    assert queue["oldest_ready_age_s"] == waited * 60
    assert queue["level"] == level


def test_a_retry_is_late_from_its_own_time(client, beating):
    """A task queued long ago to run 2 minutes ago has waited 2 minutes."""
    with time_machine.travel(beating - datetime.timedelta(hours=2), tick=False):
        touch.using(run_after=NOW - datetime.timedelta(minutes=2)).enqueue("/x/y")
    with time_machine.travel(beating, tick=False):
        _, body = get(client, "/healthz/status")
    assert body["checks"]["queue"]["oldest_ready_age_s"] == 120
    assert body["checks"]["queue"]["level"] == "ok"


def test_a_cache_that_is_down_is_a_warning(client, beating, storage, dead_redis):
    """The worker's beat comes from its row, and the storage is still read."""
    with time_machine.travel(beating + datetime.timedelta(seconds=30)):
        _, body = get(client, "/healthz/status")
    assert body["status"] == "warning"
    assert body["problems"] == ["cache"]
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["worker"]["level"] == "ok"
    assert body["checks"]["storage"]["level"] == "ok"
    assert storage.calls == ["listdir"]


def test_the_storage_is_read_at_most_once_a_minute_and_never_written(
    client, beating, storage
):
    """Probes within a minute share one read; the next minute reads again.
    Nothing is written, and the result says how old it is."""
    started = beating + datetime.timedelta(seconds=10)
    with time_machine.travel(started, tick=False) as clock:
        for _ in range(5):
            _, body = get(client, "/healthz/status")
        clock.shift(59)
        _, body = get(client, "/healthz/status")
        assert storage.calls == ["listdir"]
        assert body["checks"]["storage"]["age_s"] == 59
        clock.shift(2)
        _, body = get(client, "/healthz/status")
    assert storage.calls == ["listdir", "listdir"]
    assert body["checks"]["storage"]["age_s"] == 0
    assert list(Path(storage.location).rglob("*")) == []


def test_a_storage_that_fails_is_critical(
    client, beating, settings, caplog, monkeypatch
):
    """Media on a path that is not a folder: the response names only the
    kind of error; the log has the details."""
    blocked = settings.MEDIA_ROOT.parent / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setattr(health, "default_storage", FileSystemStorage(location=blocked))
    with time_machine.travel(beating), caplog.at_level(logging.WARNING):
        status, body = get(client, "/healthz/status")
    assert status == 200
    assert body["status"] == "critical"
    assert body["problems"] == ["storage"]
    assert body["checks"]["storage"]["error"] == "NotADirectoryError"
    assert str(blocked) not in json.dumps(body)
    assert "Health check 'storage' failed" in caplog.text
    assert client.get("/healthz").status_code == 200


def test_a_hung_storage_is_given_up_on_in_bounded_time(client, beating, monkeypatch):
    """A listing that never returns: the status answers after the timeout
    with the storage critical; a minute later, while that read still hangs,
    it says so at once and starts no second read."""
    monkeypatch.setattr(health, "STORAGE_TIMEOUT", 0.5)
    monkeypatch.setattr(health, "default_storage", HangingStorage())
    HangingStorage.release.clear()
    try:
        started = time.monotonic()
        _, body = get(client, "/healthz/status")
        assert time.monotonic() - started < 3
        assert body["checks"]["storage"]["level"] == "critical"
        assert body["checks"]["storage"]["error"] == "no answer within 0.5 s"
        threads = threading.active_count()
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
            started = time.monotonic()
            _, body = get(client, "/healthz/status")
        assert time.monotonic() - started < 0.4
        assert body["checks"]["storage"]["error"].startswith("the last read has not")
        assert threading.active_count() == threads
    finally:
        HangingStorage.release.set()


def test_a_process_without_the_cache_reads_storage_once_a_minute(
    client, beating, storage, dead_redis
):
    """With Redis down each process keeps its own result and turn."""
    with time_machine.travel(beating, tick=False) as clock:
        for _ in range(3):
            get(client, "/healthz/status")
        clock.shift(61)
        _, body = get(client, "/healthz/status")
    assert storage.calls == ["listdir", "listdir"]
    assert body["checks"]["storage"]["level"] == "ok"


@pytest.mark.parametrize(
    "remote, forwarded, status",
    [
        ("127.0.0.1", None, 200),
        ("10.1.2.3", None, 200),
        ("::1", None, 200),
        (PUBLIC_ADDRESS, None, 403),
        ("2001:4860:4860::8888", None, 403),
        ("127.0.0.1", f"{PUBLIC_ADDRESS}", 403),
        ("127.0.0.1", f"{PUBLIC_ADDRESS}, 10.0.0.7", 200),
        ("127.0.0.1", f"10.0.0.7, {PUBLIC_ADDRESS}", 403),
    ],
    ids=[
        "loopback",
        "private",
        "ipv6-loopback",
        "public",
        "ipv6-public",
        "public-via-proxy",
        "private-via-proxy",
        "spoofed-private",
    ],
)
def test_the_status_is_for_private_networks_only(
    client, beating, settings, remote, forwarded, status
):
    """The client's address, as the trusted proxies report it, must be
    private or loopback; a client cannot prepend its way in."""
    settings.HEALTH_TRUSTED_PROXIES = ["127.0.0.1"]
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    answer, body = get(client, "/healthz/status", **extra)
    assert answer == status
    if status == 403:
        assert body == {"error": "only from private networks"}


@needs_redis
def test_the_queue_is_read_from_rq_with_that_backend(client, beating, settings):
    """With DJANGO_TASKS_BACKEND=django_tasks_rq.RQBackend the depth comes
    from RQ's queue in Redis: waiting jobs, and retries in its scheduler."""
    django_rq = pytest.importorskip("django_rq")
    from rq import Queue

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
    }
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/4"}}
    # RQ's own Queue: django-rq's would hold the jobs until the test's
    # transaction commits.
    queue = Queue("default", connection=django_rq.get_connection("default"))
    scheduled = queue.scheduled_job_registry
    queue.empty()
    waiting_later = scheduled.count
    try:
        queue.enqueue("os.getcwd")
        queue.enqueue("os.getcwd")
        later = queue.enqueue_in(datetime.timedelta(hours=1), "os.getcwd")
        _, body = get(client, "/healthz/status")
    finally:
        queue.empty()
        scheduled.remove(later)
    rq = body["checks"]["queue"]
    assert (rq["level"], rq["ready"]) == ("ok", 2)
    assert rq["scheduled"] == waiting_later + 1
    assert rq["oldest_ready_age_s"] < 60


def get_from(source: str, port: int, path: str) -> int:
    """The status of an HTTPS GET to 127.0.0.1:`port` sent from `source`."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1",
        port,
        context=ssl._create_unverified_context(),
        source_address=(source, 0),
        timeout=10,
    )
    connection.request("GET", path, headers={"Host": "health.example.org"})
    return connection.getresponse().status


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_the_documented_nginx_admits_only_the_private_network(
    servers, tmp_path, server_database
):
    """docs/operations.md's nginx in front of gunicorn: from 127.0.0.1 both
    health URLs answer 200; from 127.0.0.2 (neither loopback rule nor
    10.0.0.0/8) nginx refuses both, while pages stay public."""
    from tests.stack.test_gunicorn import start_gunicorn
    from tests.stack.test_nginx import start_nginx

    app, url = start_gunicorn(
        servers,
        tmp_path,
        server_database,
        DJANGO_ALLOWED_HOSTS="health.example.org",
        HEALTH_TRUSTED_PROXIES="127.0.0.1",
    )
    app.wait_for(f"{url}/robots.txt", status=None)
    folder = Path(tempfile.mkdtemp(prefix="nginx-"))
    folder.chmod(0o755)
    try:
        nginx, _, https = start_nginx(folder, int(url.rsplit(":", 1)[1]))
        servers.append(nginx)
        deadline = time.monotonic() + 15
        while True:
            try:
                assert get_from("127.0.0.1", https, "/healthz") == 200
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, nginx.output()
                time.sleep(0.2)
        assert get_from("127.0.0.1", https, "/healthz/status") == 200
        assert get_from("127.0.0.2", https, "/healthz") == 403
        assert get_from("127.0.0.2", https, "/healthz/status") == 403
        assert get_from("127.0.0.2", https, "/robots.txt") == 200
    finally:
        shutil.rmtree(folder, ignore_errors=True)
