"""Prepare what public pages read for articles that were live before listings,
cards and stored reference lists existed (a one-off upgrade step that runs
today's code, so it comes after every schema change it relies on)."""

from django.db import migrations


def prepare_pages(apps, schema_editor):
    """Render each revision's reference list, and prepare the listings, cards
    and JSON-LD of live articles, with today's code (a one-off upgrade step).

    The immutability trigger is dropped for the revision update; articles.apps
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
    dependencies = [("articles", "0007_search_ranking")]

    operations = [migrations.RunPython(prepare_pages, migrations.RunPython.noop)]
