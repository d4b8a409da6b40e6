"""Full-text search of live articles: the reader's queries.

On PostgreSQL the stored tsvector (see articles/search_index.py) is matched
with websearch syntax, ranked with ts_rank and highlighted with ts_headline.
On SQLite: a simpler case-insensitive match, newest first.
"""

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.db.models import F, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.search_index import CONFIG, is_postgresql
from articles.text import single_line

MAX_QUERY_LENGTH = 200
# Sentinels around matches; the snippet is escaped, then they become <mark>.
START, STOP = "\u27e6", "\u27e7"


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
