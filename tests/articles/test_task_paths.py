"""Tasks queued before the page cache and the search index moved into
articles/delivery/ still run after the upgrade."""

import importlib

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

moved = importlib.import_module("articles.migrations.0012_moved_task_paths")


def queued(path: str, status: str = "READY") -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=path,
        args_kwargs={"args": [], "kwargs": {}},
        status=status,
        enqueued_at=timezone.now(),
        queue_name="default",
        backend_name="default",
        priority=0,
    )


def test_waiting_tasks_follow_their_module(db):
    """A waiting purge or index update names the new module, and imports."""
    purge = queued("articles.page_cache.purge_again")
    index = queued("articles.search_index.update_search_index")
    done = queued("articles.page_cache.ban_later", status="SUCCESSFUL")
    moved.forwards(apps, None)
    for result, path in [
        (purge, "articles.delivery.page_cache.purge_again"),
        (index, "articles.delivery.search_index.update_search_index"),
    ]:
        result.refresh_from_db()
        assert result.task_path == path
        import_string(path)
    done.refresh_from_db()
    assert done.task_path == "articles.page_cache.ban_later"  # history is kept
