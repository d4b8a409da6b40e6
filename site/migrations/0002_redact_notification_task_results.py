"""Notification emails queued before the worker wrote them carried the
recipients' addresses, the subject and the body (review comments included) as
arguments, and kept them in their results. Remove them. One still waiting is
marked failed: the task now takes ids, and these arguments cannot say which."""

from django.db import migrations
from django.utils import timezone

TASK = "articles.tasks.send_notification"
NOTE = (
    "Not sent: queued before notification emails carried ids only; its "
    "addresses and text were removed."
)


def written_in_advance(args_kwargs) -> bool:
    """(subject, body, addresses…), where the task now takes (kind, ids, about)."""
    args = (args_kwargs or {}).get("args") or []
    return len(args) >= 2 and isinstance(args[1], str)


def redact(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for result in DBTaskResult.objects.filter(task_path=TASK).iterator():
        if not written_in_advance(result.args_kwargs):
            continue
        result.args_kwargs = {"args": [], "kwargs": {}}
        result.return_value = None
        result.traceback = ""
        if result.status == "READY":
            result.status = "FAILED"
            result.finished_at = timezone.now()
            result.traceback = NOTE
        result.save(
            update_fields=[
                "args_kwargs",
                "return_value",
                "traceback",
                "status",
                "finished_at",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("siteconf", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
