"""Full-text search of live articles.

On PostgreSQL: a weighted tsvector (title A, summary B, body C) stored at
publish time with a GIN index, ranked with ts_rank and highlighted with
ts_headline. On SQLite: a simpler case-insensitive match, newest first.
"""

import html

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import F, Q, Value
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.text import single_line

CONFIG = "english"
MAX_QUERY_LENGTH = 200
# Sentinels around matches; the snippet is escaped, then they become <mark>.
START, STOP = "\u27e6", "\u27e7"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def index_live_revision(article) -> None:
    """Store the search text (and vector on PostgreSQL) of the live revision."""
    from articles.models import Article

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


def clean_query(raw: str) -> str:
    """Trim, collapse whitespace, drop control characters (PostgreSQL refuses
    NUL) and cap the length of a reader's query."""
    return " ".join(single_line(raw).split())[:MAX_QUERY_LENGTH]


def search(queryset, q: str):
    """Live articles matching `q`, best first, each with a `snippet`."""
    if is_postgresql():
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        return (
            queryset.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                snippet=SearchHeadline(
                    "search_text",
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                ),
            )
            .order_by("-rank", "-last_published_at")
        )
    matches = Q()
    for word in q.split()[:10]:
        matches &= (
            Q(live_revision__title__icontains=word)
            | Q(live_revision__summary__icontains=word)
            | Q(search_text__icontains=word)
        )
    return queryset.filter(matches).order_by("-last_published_at")


def highlight(snippet: str) -> SafeString:
    """Escape a ts_headline snippet and turn its sentinels into <mark>."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
