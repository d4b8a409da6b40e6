"""The search vocabulary: the words of live titles, summaries and topics, and
of the synonyms, that a misspelt word of a query is corrected to
(articles/public/search.py).

Indexing an article adds its words as it goes live. Words of a withdrawn or
changed page stay until the vocabulary is rebuilt (`manage.py refresh_search`,
daily), which also counts how many live articles use each word: a stale word
costs nothing, since a correction is only offered when it finds articles.
"""

from collections import Counter

from django.apps import apps as django_apps
from django.db import connection, transaction

from articles import search_words
from articles.models import VocabularyWord

BATCH = 2000


def page_words(title: str, summary: str, topic_list: list[dict]) -> set[str]:
    """The vocabulary words of one live page."""
    topics = " ".join(t.get("name", "") for t in topic_list or [])
    return search_words.vocabulary_words(f"{title} {summary} {topics}")


def add_live_words(revision) -> None:
    """Add the words of a revision that has just gone live."""
    VocabularyWord.objects.add(
        page_words(revision.title, revision.summary, revision.topic_list)
    )


def rebuild(apps=django_apps) -> int:
    """Count the words of every live page afresh, add the synonyms' words,
    and drop the rest; return the number of words. (`apps` lets a migration
    pass its historical models.)"""
    Article = apps.get_model("articles", "Article")
    Synonym = apps.get_model("articles", "Synonym")
    Word = apps.get_model("articles", "VocabularyWord")
    counts = Counter()
    pages = (
        Article.objects.filter(live_revision__isnull=False)
        .values_list(
            "live_revision__title",
            "live_revision__summary",
            "live_revision__topic_list",
        )
        .iterator(chunk_size=BATCH)
    )
    for title, summary, topic_list in pages:
        counts.update(page_words(title, summary, topic_list))
    for term, equivalents in Synonym.objects.values_list("term", "equivalents"):
        for word in search_words.vocabulary_words(f"{term} {equivalents}"):
            counts.setdefault(word, 0)
    with transaction.atomic():
        Word.objects.all().delete()
        Word.objects.bulk_create(
            [Word(word=w, articles=n) for w, n in sorted(counts.items())],
            batch_size=BATCH,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The new words wait in the trigram index's pending list, which
            # every correction would read through until autovacuum merged
            # it: merge it now, and let the planner see the new table.
            cursor.execute(
                "SELECT gin_clean_pending_list('articles_vocabulary_trgm'::regclass)"
            )
            cursor.execute("ANALYZE articles_vocabularyword")
    return len(counts)
