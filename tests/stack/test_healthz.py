"""/healthz: each check passing and failing, never cached, no cookie."""

import datetime
import json
import logging

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from siteconf.models import Heartbeat
from siteconf.tasks import heartbeat
from tests.tasks import run_tasks

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def beating(db, settings, tmp_path):
    """The worker ran its heartbeat just now; media in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        heartbeat.call()
    return NOW


def get_health(client) -> tuple[int, dict]:
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_all_checks_pass_with_200_and_their_times(client, beating):
    """Database, cache, storage and worker each report ok and a time in ms."""
    with time_machine.travel(beating + datetime.timedelta(seconds=70)):
        status, body = get_health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage", "worker"}
    for outcome in body["checks"].values():
        assert outcome["ok"] is True
        assert isinstance(outcome["ms"], float)


def test_one_query_when_the_cache_holds_the_heartbeat(
    client, beating, django_assert_num_queries
):
    """Cheap: the database check's SELECT 1 is the only query."""
    with time_machine.travel(beating), django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200


def test_a_cache_that_is_down_fails_with_503(client, beating, dead_redis):
    """Redis on a closed port: 503 naming the cache, answered quickly; the
    heartbeat is read from its row instead."""
    with time_machine.travel(beating):
        status, body = get_health(client)
    assert status == 503
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["cache"]["ms"] < 2000
    assert body["checks"]["worker"]["ok"] is True


def test_a_storage_that_cannot_write_fails_with_503(client, beating, settings, caplog):
    """Media on a path that is a file, not a folder: 503 naming the storage.
    The response names only the kind of error; the log has the details."""
    blocked = settings.MEDIA_ROOT.parent / "not-a-folder"
    blocked.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    with time_machine.travel(beating), caplog.at_level(logging.WARNING):
        status, body = get_health(client)
    assert status == 503
    assert body["failing"] == ["storage"]
    assert str(blocked) not in json.dumps(body)
    assert "Health check 'storage' failed" in caplog.text


def test_the_storage_check_leaves_no_file(client, beating, settings):
    """The probe it writes is deleted again."""
    with time_machine.travel(beating):
        assert client.get("/healthz").status_code == 200
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))


@pytest.mark.parametrize(
    "minutes, status", [(4, 200), (6, 503)], ids=["4-minutes", "6-minutes"]
)
def test_a_heartbeat_older_than_five_minutes_is_stale(client, beating, minutes, status):
    """The scheduler queues a beat every minute: five without one fail."""
    with time_machine.travel(beating + datetime.timedelta(minutes=minutes)):
        answer, body = get_health(client)
    assert answer == status
    if status == 503:
        assert body["failing"] == ["worker"]
        assert body["checks"]["worker"]["error"].startswith("stale")


def test_no_heartbeat_at_all_is_stale(client, db, settings, tmp_path):
    """A worker that never ran one fails the check too."""
    settings.MEDIA_ROOT = tmp_path
    status, body = get_health(client)
    assert status == 503
    assert body["failing"] == ["worker"]


def test_the_row_decides_when_the_cached_beat_is_old(client, beating):
    """A cache that missed beats (it was down) does not make the worker
    look stale while its row is fresh."""
    later = beating + datetime.timedelta(minutes=30)
    Heartbeat.objects.filter(name="worker").update(beat_at=later)
    with time_machine.travel(later + datetime.timedelta(seconds=5)):
        assert client.get("/healthz").status_code == 200


def test_the_scheduled_heartbeat_runs_on_the_worker(client, db, settings, tmp_path):
    """`manage.py heartbeat` queues the task; the worker's run of it is what
    turns the check green."""
    settings.MEDIA_ROOT = tmp_path
    call_command("heartbeat")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "siteconf.tasks.heartbeat"
    assert client.get("/healthz").status_code == 503
    assert run_tasks() == 1
    assert client.get("/healthz").status_code == 200


def test_healthz_is_never_cached_and_sets_no_cookie(client, beating, settings):
    """no-store, no Set-Cookie, no Vary: Cookie; and with Django's cache
    middleware wrapped around the whole stack, a change shows at once."""
    settings.MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    with time_machine.travel(beating):
        first = client.get("/healthz")
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    assert not first.cookies
    assert "Cookie" not in first.get("Vary", "")
    with time_machine.travel(beating + datetime.timedelta(minutes=10)):
        assert client.get("/healthz").status_code == 503


def test_a_failing_probe_is_not_mailed_as_a_server_error(
    client, beating, dead_redis, mailoutbox, settings, caplog
):
    """Load balancers probe every few seconds: a 503 here is logged as a
    warning, never as an error that ADMINS get by email."""
    settings.ADMINS = ["ops@example.org"]
    settings.DEBUG = False
    with time_machine.travel(beating), caplog.at_level(logging.WARNING):
        assert client.get("/healthz").status_code == 503
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert mailoutbox == []
