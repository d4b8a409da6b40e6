"""Prepare what public pages read for articles that were live before listings,
prepared pages and stored reference lists existed: a one-off upgrade step.

It runs today's code (the render pipeline's reference list and the publish
step's page preparation), so it comes after every schema change they rely on.
"""

from django.db import migrations


def prepare_pages(apps, schema_editor):
    """Render each revision's reference list, then prepare every live page.

    The revisions' immutability trigger is dropped for the update; articles.apps
    reinstalls it after every migrate.
    """
    from articles.rendering import reference_list_html
    from articles.workflow.pages import refresh_all_live_pages

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
    refresh_all_live_pages()


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_live_pages")]

    operations = [migrations.RunPython(prepare_pages, migrations.RunPython.noop)]
