"""Editors may edit the table of NLM journal abbreviations."""

from django.db import migrations

from articles.roles import ensure_groups


def update_groups(apps, schema_editor):
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_editorial_desk"),
        ("references", "0005_journalabbreviation"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
