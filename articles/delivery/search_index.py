"""The search index of live articles, written when what readers see changes.

On PostgreSQL: a weighted tsvector (title A, summary and topic names B,
body C) of the live revision, indexed with GIN. On SQLite: the plain text
only, for the simpler fallback search. Either way the page's words join the
vocabulary that misspellings are corrected against (vocabulary.py).

Publishing and withdrawing enqueue `update_search_index` once they commit; it
reads the live revision when it runs, so a late, repeated or out-of-order
run leaves the index matching what readers see.
"""

import html

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value
from django.utils.html import strip_tags

from articles.delivery import vocabulary
from articles.models import Article
from siteconf.background import enqueue_after_commit, retrying

CONFIG = "english"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def index_live_revision(article) -> None:
    """Store the search text (and vector on PostgreSQL) of the live revision."""
    revision = article.live_revision
    text = html.unescape(strip_tags(revision.body_html)) if revision else ""
    text = " ".join(text.split())
    updates = {"search_text": text}
    if is_postgresql():
        topics = " ".join(t["name"] for t in revision.topic_list) if revision else ""
        summary = f"{revision.summary} {topics}" if revision else ""
        title_and_summary = SearchVector(
            Value(revision.title if revision else ""), weight="A", config=CONFIG
        ) + SearchVector(Value(summary), weight="B", config=CONFIG)
        updates["search_vector"] = title_and_summary + SearchVector(
            Value(text), weight="C", config=CONFIG
        )
        # Ranking reads only this small vector (articles/public/search.py).
        updates["search_rank_vector"] = title_and_summary
    Article.objects.filter(pk=article.pk).update(**updates)
    if revision:
        vocabulary.add_live_words(revision)


@retrying()
def update_search_index(article_id: int, attempt: int = 1) -> bool:
    """Index the article's live revision (or nothing, if none is live).

    The row is locked while its live revision is read and indexed, so a run
    that overlaps a transition, or another run, never writes stale text.
    """
    with transaction.atomic():
        article = (
            Article.objects.select_for_update(of=("self",))
            .select_related("live_revision")
            .filter(pk=article_id)
            .first()
        )
        if article is None:
            return False  # deleted since; nothing to index
        index_live_revision(article)
    return True


def index_after_commit(article_id: int) -> None:
    """Queue indexing of the article once the current transaction commits."""
    enqueue_after_commit(update_search_index, article_id)
