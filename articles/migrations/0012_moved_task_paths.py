"""The page cache and the search index moved into articles/delivery/. Tasks
queued before the move, still waiting or waiting to be retried, name the old
module paths, which no longer import: point them at the new ones."""

from django.db import migrations

MOVED = {
    "articles.page_cache.": "articles.delivery.page_cache.",
    "articles.search_index.": "articles.delivery.search_index.",
}


def rename(apps, schema_editor, moves: dict[str, str]) -> None:
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in moves.items():
        waiting = DBTaskResult.objects.filter(
            task_path__startswith=old, status__in=["READY", "RUNNING"]
        )
        for result in waiting.only("pk", "task_path").iterator():
            result.task_path = new + result.task_path.removeprefix(old)
            result.save(update_fields=["task_path"])


def forwards(apps, schema_editor):
    rename(apps, schema_editor, MOVED)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_slug_help_text"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
