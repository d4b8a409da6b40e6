"""Search that understands readers (docs/search.md): the synonyms editors
keep, seeded from articles/fixtures/synonyms.toml; the vocabulary that
misspellings are corrected against, with a GIN trigram index on PostgreSQL
(SQLite has neither pg_trgm nor GIN), and the indexes on revision titles that
suggestions read; the daily counts of readers' queries;
and the editors' permissions on them."""

import django.db.models.functions.text
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models.functions import Collate, Lower

from articles.delivery.vocabulary import rebuild
from articles.roles import ensure_groups
from articles.synonym_seed import load_synonyms

# Words are stored case-folded, so the column itself is indexed.
TRIGRAM_INDEX = GinIndex(
    fields=["word"], opclasses=["gin_trgm_ops"], name="articles_vocabulary_trgm"
)
# Suggestions as readers type (articles/public/suggest.py): a title prefix is
# one range of this btree, read in order; a word inside a title, the trigrams.
TITLE_PREFIX_INDEX = models.Index(
    Collate(Lower("title"), "C"), name="articles_revision_title_prefix"
)
TITLE_TRIGRAM_INDEX = GinIndex(
    OpClass(Lower("title"), name="gin_trgm_ops"), name="articles_revision_title_trgm"
)
POSTGRESQL_INDEXES = [
    ("VocabularyWord", TRIGRAM_INDEX),
    ("Revision", TITLE_PREFIX_INDEX),
    ("Revision", TITLE_TRIGRAM_INDEX),
]


def create_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in POSTGRESQL_INDEXES:
            schema_editor.add_index(apps.get_model("articles", model), index)


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in POSTGRESQL_INDEXES:
            schema_editor.remove_index(apps.get_model("articles", model), index)


def seed(apps, schema_editor):
    load_synonyms(
        apps.get_model("articles", "Synonym"),
        apps.get_model("articles", "VocabularyWord"),
    )
    rebuild(apps)
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_reader_feedback")]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="VocabularyWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "word",
                    models.CharField(max_length=40, unique=True, verbose_name="word"),
                ),
                (
                    "articles",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Live articles using it, at the last rebuild; 0 for synonyms.",
                        verbose_name="articles",
                    ),
                ),
            ],
            options={
                "verbose_name": "vocabulary word",
                "verbose_name_plural": "vocabulary",
                "ordering": ["word"],
            },
        ),
        migrations.CreateModel(
            name="DailyQuery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("query", models.CharField(max_length=200, verbose_name="query")),
                (
                    "searches",
                    models.PositiveIntegerField(default=0, verbose_name="searches"),
                ),
                (
                    "clicks",
                    models.PositiveIntegerField(
                        default=0, verbose_name="clicks on a result"
                    ),
                ),
                (
                    "found",
                    models.BooleanField(
                        default=True,
                        help_text="At its last search that day.",
                        verbose_name="found results",
                    ),
                ),
            ],
            options={
                "verbose_name": "daily search count",
                "verbose_name_plural": "daily search counts",
                "ordering": ["-day", "-searches"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "query"), name="articles_dailyquery_day_query"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Synonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "term",
                    models.CharField(
                        help_text="A word or phrase readers use, such as “period pain”.",
                        max_length=100,
                        verbose_name="term",
                    ),
                ),
                (
                    "equivalents",
                    models.TextField(
                        help_text=(
                            "Words or phrases that mean the same, one per line (or "
                            "separated by commas), such as “dysmenorrhoea” and "
                            "“dysmenorrhea”."
                        ),
                        verbose_name="equivalents",
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="Where the group comes from, or why it is here.",
                        max_length=300,
                        verbose_name="note",
                    ),
                ),
                ("lookup", models.TextField(editable=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "synonym",
                "verbose_name_plural": "synonyms",
                "ordering": ["term"],
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("term"),
                        name="articles_synonym_term_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(create_postgresql_indexes, drop_postgresql_indexes),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
