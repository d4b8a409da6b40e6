"""The search index is written by a task queued when a publish or withdrawal
commits; it reads the live revision when it runs, and retries."""

import datetime

import pytest
import time_machine
from django.db import OperationalError, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.delivery import search_index
from articles.models import Article
from tests.conftest import create_article
from tests.tasks import run_tasks

INDEX_TASK = "articles.delivery.search_index.update_search_index"


def indexed_text(article) -> str:
    return Article.objects.values_list("search_text", flat=True).get(pk=article.pk)


@pytest.fixture
def approved_zymogen(writer, reviewer, reference):
    """An approved article whose body alone has the word 'zymogen'."""
    article = create_article(
        writer, slug="zymogen", body="A zymogen explained [@najmabadi2021]."
    )
    article.submit_for_review(by=writer)
    article.approve(by=reviewer)
    return article


def test_indexing_is_queued_only_when_the_publish_commits(
    approved_zymogen, editor, django_capture_on_commit_callbacks
):
    """Inside the transaction nothing is queued; after it, a worker indexes."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        approved_zymogen.publish(by=editor)
        assert not DBTaskResult.objects.filter(task_path=INDEX_TASK).exists()
    assert DBTaskResult.objects.filter(task_path=INDEX_TASK).count() == 1
    assert indexed_text(approved_zymogen) == ""
    run_tasks()
    assert indexed_text(approved_zymogen) == "A zymogen explained [1]."


def test_a_rolled_back_publish_queues_no_indexing(
    approved_zymogen, editor, django_capture_on_commit_callbacks
):
    """A publish that is rolled back leaves nothing for a worker to do."""
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        approved_zymogen.publish(by=editor)
        raise RuntimeError
    assert callbacks == []


def test_search_finds_the_article_once_the_task_ran(
    client, settings, approved_zymogen, editor
):
    """A word only in the body is found after indexing, not before."""
    settings.HEALTH_PAGE_CACHE = False
    approved_zymogen.publish(by=editor)
    assert "zymogen explained" not in client.get("/search/?q=zymogen").text
    run_tasks(commit_first=True)
    assert "Cervical mucus" in client.get("/search/?q=zymogen").text


def test_a_late_run_indexes_what_is_live_when_it_runs(approved_zymogen, editor):
    """Publish, then withdraw before a worker ran: both runs leave no text."""
    approved_zymogen.publish(by=editor)
    approved_zymogen.refresh_from_db()
    approved_zymogen.unpublish(by=editor, reason="Superseded")
    assert run_tasks(commit_first=True) >= 2
    assert indexed_text(approved_zymogen) == ""


def test_repeating_the_task_changes_nothing(approved_zymogen, editor):
    """A second run of the same indexing writes the same text."""
    approved_zymogen.publish(by=editor)
    run_tasks(commit_first=True)
    first = indexed_text(approved_zymogen)
    search_index.update_search_index.enqueue(approved_zymogen.pk)
    assert run_tasks() == 1
    assert indexed_text(approved_zymogen) == first != ""


def test_a_deleted_article_is_skipped(db):
    """An article deleted before its task ran is not an error."""
    result = search_index.update_search_index.enqueue(999_999)
    run_tasks()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value is False


def test_a_failed_indexing_is_retried(approved_zymogen, editor, monkeypatch):
    """A database error is retried a minute later, and that attempt indexes."""
    real = search_index.index_live_revision
    failures = [OperationalError("database is locked")]

    def fails_once(article):
        if failures:
            raise failures.pop()
        real(article)

    monkeypatch.setattr(search_index, "index_live_revision", fails_once)
    approved_zymogen.publish(by=editor)
    run_tasks(commit_first=True)
    retry = DBTaskResult.objects.get(
        task_path=INDEX_TASK, status=TaskResultStatus.READY
    )
    assert retry.args_kwargs["args"] == [approved_zymogen.pk, 2]
    assert indexed_text(approved_zymogen) == ""
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        run_tasks()
    assert "zymogen" in indexed_text(approved_zymogen)
