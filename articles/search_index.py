"""The search index of live articles, written when what readers see changes.

On PostgreSQL: a weighted tsvector (title A, summary B, body C) of the live
revision, stored at publish time and indexed with GIN. On SQLite: the plain
text only, for the simpler fallback search.
"""

import html

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value
from django.utils.html import strip_tags

from articles.models import Article

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
        updates["search_vector"] = (
            SearchVector(
                Value(revision.title if revision else ""), weight="A", config=CONFIG
            )
            + SearchVector(
                Value(revision.summary if revision else ""), weight="B", config=CONFIG
            )
            + SearchVector(Value(text), weight="C", config=CONFIG)
        )
    Article.objects.filter(pk=article.pk).update(**updates)
