"""Search's statements on PostgreSQL (articles/public/search.py decides what
to search; this file asks the database).

The results page is the hot path of search, so each attempt at a query (the
reader's own, its correction, some of its words) is one statement, written
here rather than composed by the ORM, which cost more to build than the
database took to answer:

1. `newest`: the newest CANDIDATES + 1 live matches, through the GIN index on
   the stored tsvector, so a word in every article costs no more than a rare
   one; how many there are is the page's count ("more than 100 results");
2. `page`: the newest CANDIDATES of them ranked by how well the title and
   summary match (the small `search_rank_vector`, so ranking never reads whole
   bodies), then current before overdue for re-review, then newest; one page
   of them;
3. a snippet for each row of the page only: ts_headline reads a window of the
   text around the first word that looks like one of the query's (found with
   a regular expression, which costs far less than ts_headline's parser),
   so a long article costs what a short one does.

The statement always answers one row, so the count comes back even for a page
past the last; its article columns are then empty.
"""

import re

from django.db import connection

from articles.delivery.search_index import CONFIG
from articles.models import Article

# Sentinels around matches; the snippet is escaped, then they become <mark>.
START, STOP = "\u27e6", "\u27e7"
HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15"
# The text ts_headline reads: from a little before the first likely match.
SNIPPET_BEFORE = 100
SNIPPET_WINDOW = 400
# A query word is looked for in the text by its start (a stem, roughly).
WORD_START = 4
# Correction candidates read per word and per way of finding them.
CANDIDATES_PER_WORD = 5


def tsquery(query) -> tuple[str, list]:
    """SQL for the query's tsquery, and its parameters: every part, each as
    any of its forms (a phrase as a phrase); websearch syntax as written."""
    if query.as_written or not query.parts:
        return "websearch_to_tsquery(%s::regconfig, %s)", [CONFIG, query.text]
    parts, params = [], []
    for forms in query.parts:
        either = []
        for form in forms:
            kind = "phraseto_tsquery" if " " in form else "plainto_tsquery"
            either.append(f"{kind}(%s::regconfig, %s)")
            params += [CONFIG, form]
        parts.append("(" + " || ".join(either) + ")")
    return "(" + (" || " if query.any_part else " && ").join(parts) + ")", params


def first_match_pattern(query) -> str:
    """A regular expression (PostgreSQL's) for the start of a word like one
    of the query's, to find where in the text a snippet should start."""
    starts = {
        word[: max(WORD_START, len(word) - 2)]
        for forms in query.parts or ((query.text,),)
        for form in forms
        for word in form.split()
        if len(word) > 2
    }
    if not starts:
        return r"\m"
    return r"\m(?:" + "|".join(re.escape(s) for s in sorted(starts)) + ")"


def ranked_sql(query, today, offset: int, limit: int, candidates: int):
    """The statement of one attempt (see the module's docstring) and its
    parameters."""
    ts, ts_params = tsquery(query)
    sql = f"""
        WITH newest AS MATERIALIZED (
            SELECT id, last_published_at FROM articles_article
            WHERE live_revision_id IS NOT NULL AND search_vector @@ {ts}
            ORDER BY last_published_at DESC
            LIMIT %s
        ), page AS (
            SELECT a.id, a.slug, a.last_reviewed, a.live_card, a.search_text,
                   a.last_published_at,
                   ts_rank(a.search_rank_vector, {ts}) AS rank,
                   COALESCE(a.next_review_due < %s, false) AS overdue
            FROM articles_article a
            WHERE a.id IN (
                SELECT id FROM newest ORDER BY last_published_at DESC LIMIT %s
            )
            ORDER BY rank DESC, overdue, a.last_published_at DESC
            LIMIT %s OFFSET %s
        )
        SELECT (SELECT count(*) FROM newest) AS total,
               page.id, page.slug, page.last_reviewed, page.live_card,
               ts_headline(
                   %s::regconfig,
                   substr(
                       page.search_text,
                       greatest(
                           1,
                           regexp_instr(page.search_text, %s, 1, 1, 0, 'i') - %s
                       ),
                       %s
                   ),
                   {ts},
                   %s
               ) AS snippet
        FROM (SELECT 1) AS one LEFT JOIN page ON true
        ORDER BY page.rank DESC, page.overdue, page.last_published_at DESC
    """
    params = [
        *ts_params,
        candidates + 1,
        *ts_params,
        today,
        candidates,
        limit,
        offset,
        CONFIG,
        first_match_pattern(query),
        SNIPPET_BEFORE,
        SNIPPET_WINDOW,
        *ts_params,
        HEADLINE,
    ]
    return sql, params


def ranked(query, today, offset: int, limit: int, candidates: int):
    """One page of the ranked matches (articles with `snippet`), and how many
    matched, up to `candidates` + 1."""
    sql, params = ranked_sql(query, today, offset, limit, candidates)
    rows = list(Article.objects.raw(sql, params))
    return [row for row in rows if row.pk is not None], rows[0].total


def correction_candidates(words: list[str]) -> dict[str, dict[str, int]]:
    """For each word, vocabulary words like it, in one statement through the
    GIN trigram index: those of trigram similarity ≥ pg_trgm's threshold (a
    wrong first letter), and those with the same first letter (a
    transposition, which shares few trigrams, so only words of about its
    length), each the closest few by trigram word similarity, then the most
    used."""
    branches, params = [], []
    for word in words:
        for condition, values in (
            ("word %% %s", [word]),
            (
                "word LIKE %s AND length(word) BETWEEN %s AND %s",
                [word[0] + "%", len(word) - 1, len(word) + 1],
            ),
        ):
            branches.append(
                "(SELECT %s, word, articles FROM articles_vocabularyword"
                f" WHERE {condition}"
                " ORDER BY word_similarity(%s, word) DESC, articles DESC LIMIT %s)"
            )
            params += [word, *values, word, CANDIDATES_PER_WORD]
    found: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        for typed, word, used in cursor.fetchall():
            found.setdefault(typed, {})[word] = used
    return found
