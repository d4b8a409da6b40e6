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
suggestion reads every live title.
"""

import re

from django.db import connection
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


def suggestions(query: str) -> list[dict]:
    """Live articles, then topics, matching the cleaned `query`: at most LIMIT."""
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
