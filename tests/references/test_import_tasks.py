"""Large imports confirmed in the admin run as a background task, all or
nothing, and the uploader watches their status page."""

import datetime
import json

import pytest
import time_machine
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from references import tasks
from references.library import apply_import
from references.models import PendingImport, Reference
from tests.tasks import run_tasks

IMPORT_URL = "/admin/references/reference/import/"
RECORD = """PMID- {pmid}
DP  - 2020 Mar 14
TI  - Synthetic trial {n} of progesterone in a multicentre cohort.
AID - 10.5555/Queued.{n} [doi]
FAU - Lastname{n}, Firstname A
TA  - Bench J
"""
Status = PendingImport.Status


def medline(count: int) -> str:
    return "\n".join(
        RECORD.format(pmid=20_000_000 + n, n=n) for n in range(1, count + 1)
    )


@pytest.fixture(autouse=True)
def small_threshold(settings):
    """Imports of more than five records run in the background here."""
    settings.HEALTH_BACKGROUND_IMPORT_OVER = 5


def confirm(client, user, text: str):
    client.force_login(user)
    preview = client.post(IMPORT_URL, {"text": text})
    return preview, client.post(IMPORT_URL, {"token": preview.context["token"]})


def queued(user, text: str) -> PendingImport:
    return PendingImport.objects.create(
        created_by=user, text=text, status=Status.QUEUED, total=0
    )


def status_page(client, pending) -> str:
    url = reverse("admin:references_reference_import_status", args=[pending.pk])
    return client.get(url).content.decode()


def test_a_large_import_is_queued_and_its_status_page_follows_it(client, editor):
    """Confirming redirects to a status page: queued, then done with counts."""
    preview, response = confirm(client, editor, medline(8))
    assert "it will run in the background" in preview.content.decode()
    pending = PendingImport.objects.get()
    assert response["Location"] == reverse(
        "admin:references_reference_import_status", args=[pending.pk]
    )
    assert not Reference.objects.exists()
    html = status_page(client, pending)
    assert "<strong>Queued</strong>" in html
    assert '<meta http-equiv="refresh" content="3">' in html

    assert run_tasks(commit_first=True) == 1
    assert Reference.objects.count() == 8
    html = status_page(client, pending)
    assert "<strong>Done</strong>" in html
    assert "8 of 8 records checked." in html
    assert "Imported 8 reference(s); 0 duplicate(s) skipped." in html
    assert "http-equiv" not in html
    pending.refresh_from_db()
    assert (pending.text, pending.finished_at is not None) == ("", True)


def test_a_small_import_stays_in_the_request(client, editor):
    """Five records or fewer import at once, with no task."""
    _preview, response = confirm(client, editor, medline(5))
    assert response["Location"] == reverse("admin:references_reference_changelist")
    assert Reference.objects.count() == 5
    assert not DBTaskResult.objects.exists()
    assert not PendingImport.objects.exists()


def test_a_queued_import_cannot_be_confirmed_twice(client, editor):
    """A second confirmation of the same preview queues nothing more."""
    preview, _response = confirm(client, editor, medline(8))
    again = client.post(IMPORT_URL, {"token": preview.context["token"]})
    assert "already confirmed" in again.content.decode()
    assert run_tasks(commit_first=True) == 1
    assert Reference.objects.count() == 8


def test_progress_is_recorded_as_records_are_checked(editor, monkeypatch, settings):
    """1,200 records report 500, 1,000 and 1,200 checked, then done."""
    seen = []
    record = PendingImport.record

    def spy(self, **fields):
        if "processed" in fields:
            seen.append((fields.get("status", self.status), fields["processed"]))
        record(self, **fields)

    monkeypatch.setattr(PendingImport, "record", spy)
    pending = queued(editor, medline(1_200))
    tasks.import_pending.enqueue(pending.pk)
    run_tasks()
    assert seen == [
        ("running", 0),
        ("running", 500),
        ("running", 1_000),
        ("running", 1_200),
        ("done", 1_200),
    ]
    assert Reference.objects.count() == 1_200


def test_the_status_page_shows_a_running_import(client, editor):
    """Running, with its counts, refreshing itself."""
    pending = queued(editor, medline(8))
    pending.record(status=Status.RUNNING, total=1_200, processed=500)
    client.force_login(editor)
    html = status_page(client, pending)
    assert "<strong>Running</strong>" in html
    assert "500 of 1200 records checked." in html
    assert '<progress max="1200" value="500">' in html
    assert 'http-equiv="refresh"' in html


def test_only_the_uploader_sees_the_status_page(client, editor, writer):
    """Another user gets a 404, not someone else's import."""
    pending = queued(editor, medline(8))
    client.force_login(writer)
    url = reverse("admin:references_reference_import_status", args=[pending.pk])
    assert client.get(url).status_code == 404


def test_a_bad_record_fails_the_import_at_once_with_its_reason(editor):
    """A record that fails validation is not retried; nothing is imported."""
    bad = json.dumps(
        [{"type": "article-journal", "title": "X", "issued": {"date-parts": [[99999]]}}]
    )
    pending = PendingImport.objects.create(
        created_by=editor, text=bad, format="csl_json", status=Status.QUEUED
    )
    tasks.import_pending.enqueue(pending.pk)
    assert run_tasks() == 1
    pending.refresh_from_db()
    assert pending.status == Status.FAILED
    assert "Year:" in pending.message and "Nothing was imported." in pending.message
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert not Reference.objects.exists()


def test_a_database_error_is_retried_and_the_page_says_so(client, editor, monkeypatch):
    """The first attempt fails: the import is queued again and says why."""
    failures = [OperationalError("could not connect to server")]

    def fails_once(plan, progress=None):
        if failures:
            raise failures.pop()
        return apply_import(plan, progress)

    monkeypatch.setattr(tasks, "apply_import", fails_once)
    pending = queued(editor, medline(8))
    tasks.import_pending.enqueue(pending.pk)
    run_tasks()
    pending.refresh_from_db()
    assert pending.status == Status.QUEUED
    assert "Attempt 1 failed (OperationalError" in pending.message
    assert not Reference.objects.exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert run_tasks() == 1
    pending.refresh_from_db()
    assert pending.status == Status.DONE
    assert Reference.objects.count() == 8


def test_after_the_last_attempt_the_import_is_failed(client, editor, monkeypatch):
    """Three failures: the import is marked failed, and so is the task."""

    def always_fails(plan, progress=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "apply_import", always_fails)
    pending = queued(editor, medline(8))
    tasks.import_pending.enqueue(pending.pk)
    run_tasks()
    for minutes in (2, 7):
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes)):
            run_tasks()
    pending.refresh_from_db()
    assert pending.status == Status.FAILED
    assert "The import failed (OperationalError" in pending.message
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    client.force_login(editor)
    assert "<strong>Failed</strong>" in status_page(client, pending)


def test_a_finished_import_is_never_imported_again(editor):
    """A repeated or late run finds it done and does nothing."""
    pending = queued(editor, medline(8))
    tasks.import_pending.call(pending.pk)
    assert tasks.import_pending.call(pending.pk) == {"skipped": "done"}
    assert Reference.objects.count() == 8


def test_an_import_left_running_by_a_lost_worker_runs_again(editor):
    """Nothing was saved by the run that stopped; the next run imports it all."""
    pending = queued(editor, medline(8))
    pending.record(status=Status.RUNNING, processed=500)
    tasks.import_pending.call(pending.pk)
    pending.refresh_from_db()
    assert (pending.status, Reference.objects.count()) == (Status.DONE, 8)


def test_queued_imports_survive_the_purge_of_old_previews(editor):
    """Day-old previews are purged; a queued import a day old is kept."""
    pending = queued(editor, medline(8))
    preview = PendingImport.objects.create(created_by=editor, text="x")
    old = timezone.now() - datetime.timedelta(days=2)
    PendingImport.objects.update(created_at=old)
    PendingImport.objects.expired().delete()
    assert list(PendingImport.objects.all()) == [pending]
    assert not PendingImport.objects.filter(pk=preview.pk).exists()
