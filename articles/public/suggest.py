"""Suggestions as a reader types in a search box: live article titles and
topic names that start with what was typed, then (from three characters) those
with a word that does.

The answer is JSON, kept in the page cache per query (see
`page_cache.suggestions_address`), so a repeated suggestion runs no SQL.
Titles are the live revision's, so a draft's title never shows, and a
withdrawn article drops out with the purge that its withdrawal makes.

It stays fast at any library size with two indexes on revisions: a btree on
`(lower(title) COLLATE "C")`, where a prefix is one range read in order, and
a trigram GIN on `lower(title)` for the word search. Without them, each
suggestion reads every live title. On PostgreSQL the prefix reads are one
statement and the word reads another, run only when the first found too few,
and cut off after WORD_TIMEOUT_MS.
"""

import re
from contextlib import nullcontext

from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.db.models.functions import Collate, Lower
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from articles.delivery import page_cache
from articles.models import Article, Topic
from articles.text import BREAKS

MIN_LENGTH = 2
MAX_LENGTH = 100
# A word inside a title is looked for from this length: two letters start a
# word in nearly every title, and trigram indexes need three.
WORD_LENGTH = 3
LIMIT = 8
# The most a word search may take (PostgreSQL).
WORD_TIMEOUT_MS = 100
TOPIC_LIMIT = 3


class BadQuery(ValueError):
    """A query suggestions cannot take, with a message for the reader."""


def clean(raw: str) -> str:
    """The query as suggestions read it: lower case, single spaces.

    Raises BadQuery for a query too short or too long, or one holding a
    control character (PostgreSQL refuses NUL; none belongs in a search box).
    """
    if len(raw) > MAX_LENGTH * 2:  # before any work on it
        raise BadQuery(f"Type at most {MAX_LENGTH} characters.")
    if BREAKS.search(raw):
        raise BadQuery("Search text cannot hold control characters.")
    query = " ".join(raw.split()).lower()
    if len(query) < MIN_LENGTH:
        raise BadQuery(f"Type at least {MIN_LENGTH} characters.")
    if len(query) > MAX_LENGTH:
        raise BadQuery(f"Type at most {MAX_LENGTH} characters.")
    return query


def sort_key(field: str):
    """`field` in lower case, in byte order on PostgreSQL (as its index is)."""
    lowered = Lower(field)
    return Collate(lowered, "C") if connection.vendor == "postgresql" else lowered


def word_start(query: str) -> str:
    """A regular expression for `query` at the start of a word, in the
    database's own dialect (PostgreSQL's \\m; SQLite runs Python's re)."""
    boundary = r"\m" if connection.vendor == "postgresql" else r"\b"
    return boundary + re.escape(query)


def matching(queryset, field: str, query: str, limit: int) -> list[dict]:
    """Up to `limit` rows of `queryset` whose `field` starts with `query`,
    alphabetically; then, for a long enough query, rows with a word that
    does, newest (or first) first."""
    keyed = queryset.alias(key=sort_key(field), lowered=Lower(field))
    rows = list(keyed.filter(key__startswith=query).order_by("key")[:limit])
    if len(rows) < limit and len(query) >= WORD_LENGTH:
        rows += keyed.filter(lowered__regex=word_start(query)).exclude(
            key__startswith=query
        )[: limit - len(rows)]
    return rows


# On PostgreSQL the reads of `matching` for topics and articles are one
# statement for names that start with the query, then, if they were too few,
# one for names with a word that does: built by the ORM, the four reads cost
# more than the database took to answer them.
PREFIX_SQL = """
    (SELECT 0, slug, name FROM articles_topic
     WHERE lower(name) COLLATE "C" LIKE %(prefix)s
     ORDER BY lower(name) COLLATE "C" LIMIT %(topics)s)
    UNION ALL
    (SELECT 2, a.slug, r.title FROM articles_article a
     JOIN articles_revision r ON r.id = a.live_revision_id
     WHERE lower(r.title) COLLATE "C" LIKE %(prefix)s
     ORDER BY lower(r.title) COLLATE "C" LIMIT %(articles)s)
"""
WORD_SQL = """
    (SELECT 1, slug, name FROM articles_topic
     WHERE %(topic_words)s AND lower(name) ~ %(word)s
       AND NOT lower(name) COLLATE "C" LIKE %(prefix)s
     ORDER BY name LIMIT %(topics)s)
    UNION ALL
    (SELECT 3, a.slug, r.title FROM articles_article a
     JOIN articles_revision r ON r.id = a.live_revision_id
     WHERE %(article_words)s AND lower(r.title) ~ %(word)s
       AND NOT lower(r.title) COLLATE "C" LIKE %(prefix)s
     ORDER BY a.last_published_at DESC LIMIT %(articles)s)
"""


def matching_postgresql(query: str) -> tuple[list[dict], list[dict]]:
    """What `matching` finds for topics and for live articles, in one
    statement, or two when few names start with the query."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params = {
        "prefix": escaped + "%",
        "word": word_start(query),
        "topics": TOPIC_LIMIT,
        "articles": LIMIT,
    }
    with connection.cursor() as cursor:
        cursor.execute(PREFIX_SQL, params)
        rows = cursor.fetchall()
        topics = sum(1 for row in rows if row[0] == 0)
        # Each word search only where names starting with the query are
        # too few: one that finds only those would read every title.
        params["topic_words"] = topics < TOPIC_LIMIT
        params["article_words"] = len(rows) - topics < LIMIT - topics
    wanted = params["topic_words"] or params["article_words"]
    if wanted and len(query) >= WORD_LENGTH:
        rows += words_postgresql(params)
    found: list[list[dict]] = [[], [], [], []]
    for branch, slug, label in rows:
        found[branch].append({"slug": slug, "label": label})
    topics = (found[0] + found[1])[:TOPIC_LIMIT]
    return topics, (found[2] + found[3])[: LIMIT - len(topics)]


def words_postgresql(params: dict) -> list[tuple]:
    """The word search, given at most WORD_TIMEOUT_MS: a query whose
    trigrams are in nearly every title ("pregnancy 5" in a library of
    pregnancy pages) and that matches none reads every title, and the reader
    is better served by the names found so far than by a wait."""
    # One round trip: the limit is local to the statements' own (implicit)
    # transaction. Within a caller's, a savepoint keeps a cancellation from
    # aborting it, and the last statement lifts the limit again.
    sql = (
        f"SET LOCAL statement_timeout = {WORD_TIMEOUT_MS}; {WORD_SQL};"
        " SET LOCAL statement_timeout TO DEFAULT"
    )
    inner = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with inner, connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.nextset()
            return cursor.fetchall()
    except OperationalError:  # cancelled: too slow
        return []


def suggestions(query: str) -> list[dict]:
    """Live articles, then topics, matching the cleaned `query`: at most LIMIT."""
    if connection.vendor == "postgresql":
        topics, articles = matching_postgresql(query)
    else:
        topics = matching(
            Topic.objects.order_by("name").values("slug", label=F("name")),
            "name",
            query,
            TOPIC_LIMIT,
        )
        articles = matching(
            Article.objects.live()
            .order_by("-last_published_at")
            .values("slug", label=F("live_revision__title")),
            "live_revision__title",
            query,
            LIMIT - len(topics),
        )
    return [
        {
            "label": row["label"],
            "url": reverse("articles:detail", args=[row["slug"]]),
            "kind": "article",
        }
        for row in articles
    ] + [
        {
            "label": row["label"],
            "url": reverse("articles:topic", args=[row["slug"]]),
            "kind": "topic",
        }
        for row in topics
    ]


@require_safe
def suggest(request):
    """GET /search/suggest/?q=…: {"suggestions": [{label, url, kind}, …]},
    or {"error": …} with status 400 for a query suggestions cannot take."""
    try:
        query = clean(request.GET.get("q", ""))
    except BadQuery as error:
        return JsonResponse({"error": str(error)}, status=400)
    response = JsonResponse({"suggestions": suggestions(query)})
    response["X-Robots-Tag"] = "noindex"
    return page_cache.mark(response, ["search"], s_maxage=300)
