"""Full-text search of live articles: the reader's queries.

On PostgreSQL the stored tsvector (see articles/delivery/search_index.py) is matched
with websearch syntax, ranked with ts_rank and highlighted with ts_headline.
On SQLite: a simpler case-insensitive match, newest first.
"""

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.delivery.search_index import CONFIG, is_postgresql
from articles.text import single_line

MAX_QUERY_LENGTH = 200
# Ranked among the newest matches, so a word in every article costs no more
# than a rare one. (Ten pages of results; older matches are past page ten.)
CANDIDATES = 100
# Snippets come from the start of the text: ts_headline reads all it is given.
SNIPPET_SOURCE = 5000
# Sentinels around matches; the snippet is escaped, then they become <mark>.
START, STOP = "\u27e6", "\u27e7"


def clean_query(raw: str) -> str:
    """Trim, collapse whitespace, drop control characters (PostgreSQL refuses
    NUL) and cap the length of a reader's query."""
    return " ".join(single_line(raw).split())[:MAX_QUERY_LENGTH]


def search(queryset, q: str):
    """Live articles matching `q`, best first, each with a `snippet`.

    On PostgreSQL the GIN index finds the matches; the newest CANDIDATES of
    them are ranked by how well the title and summary match (a small vector,
    so ranking never reads whole bodies), then by recency. A common word thus
    costs the same as a rare one, whatever the size of the library. Snippets
    are made for the page's ten results only, from the start of the text.
    """
    if is_postgresql():
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        newest = newest_matches(queryset.model.objects.live(), q).values("pk")[
            :CANDIDATES
        ]
        return (
            queryset.filter(pk__in=newest)
            .annotate(
                rank=SearchRank(F("search_rank_vector"), query),
                snippet=SearchHeadline(
                    Substr("search_text", 1, SNIPPET_SOURCE),
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
    return matches(queryset, q).order_by("-last_published_at")


def newest_matches(queryset, q: str):
    """Matches newest first: what is ranked, paginated and counted (up to
    CANDIDATES + 1, so a page can say "more than 100 results")."""
    return matches(queryset, q).order_by("-last_published_at")


def matches(queryset, q: str):
    """The articles of `queryset` that match `q`, in no particular order."""
    if is_postgresql():
        return queryset.filter(
            search_vector=SearchQuery(q, search_type="websearch", config=CONFIG)
        )
    words = Q()
    for word in q.split()[:10]:
        words &= (
            Q(live_revision__title__icontains=word)
            | Q(live_revision__summary__icontains=word)
            | Q(search_text__icontains=word)
        )
    return queryset.filter(words)


def highlight(snippet: str) -> SafeString:
    """Escape a ts_headline snippet and turn its sentinels into <mark>."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
