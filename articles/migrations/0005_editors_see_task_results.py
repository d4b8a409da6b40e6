"""Editors may view the background tasks' results (failed and waiting ones)."""

from django.db import migrations

from articles.roles import ensure_groups


def update_groups(apps, schema_editor):
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_revision_bylines_topics"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
