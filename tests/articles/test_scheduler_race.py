"""Two schedulers carrying out the same due go-live publish it once (PostgreSQL)."""

import datetime
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, AuditEntry
from articles.workflow import run_due_schedules

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes writers; the race needs PostgreSQL row locks",
    ),
]


def sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_two_schedulers_publish_a_due_article_exactly_once(approved_article, editor):
    """Both find it due and queue on its row lock; one publishes, the other
    finds the schedule done: one audit entry, one history entry, one email."""
    go_live = timezone.now() + datetime.timedelta(minutes=1)
    approved_article.publish(by=editor, at=go_live)
    DBTaskResult.objects.all().delete()  # the emails about submit and approve
    results = []

    def scheduler():
        try:
            results.append(run_due_schedules(go_live + datetime.timedelta(minutes=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    with transaction.atomic():
        # Holding the row lock lets both schedulers find the article due
        # before either can lock it.
        Article.objects.select_for_update().get(pk=approved_article.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while sessions_waiting_for_a_lock() < 2:
            assert time.monotonic() < deadline, "the schedulers never met the lock"
            time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [[], [f"published {approved_article.slug}"]]
    article = Article.objects.get(pk=approved_article.pk)
    assert article.is_live and article.publish_at is None
    assert len(article.publication_history) == 1
    assert (
        AuditEntry.objects.filter(
            article_id=article.pk, action=AuditEntry.Action.PUBLISH
        ).count()
        == 1
    )
    queued = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued["articles.tasks.send_notification"] == 1
    assert queued["articles.delivery.search_index.update_search_index"] == 1
    assert set(queued.values()) == {1}  # nor any other task twice
