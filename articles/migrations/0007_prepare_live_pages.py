"""Store the reference lists of revisions made before they were stored.

Preparing the pages of articles that were already live happens after migrate
(articles.apps.prepare_unprepared_pages), where today's models match the
schema: a data step here would break as soon as a later migration adds a column.
"""

from django.db import migrations


def prepare_pages(apps, schema_editor):
    """Render each revision's reference list.

    The revisions' immutability trigger is dropped for the update; articles.apps
    reinstalls it after every migrate.
    """
    from articles.rendering import reference_list_html

    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS articles_revision_immutable ON articles_revision"
        )
    elif connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS articles_revision_immutable")
    Revision = apps.get_model("articles", "Revision")
    for revision in Revision.objects.exclude(cited=[]).only("cited"):
        Revision.objects.filter(pk=revision.pk).update(
            references_html=reference_list_html(revision.cited)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_live_pages")]

    operations = [migrations.RunPython(prepare_pages, migrations.RunPython.noop)]
