"""A GIN index on the search vector, on PostgreSQL only (SQLite has no GIN)."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS articles_article_search_gin "
    "ON articles_article USING gin (search_vector)"
)
DROP = "DROP INDEX IF EXISTS articles_article_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_editorial_groups")]

    operations = [migrations.RunPython(create_index, drop_index)]
