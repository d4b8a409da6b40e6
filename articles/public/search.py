"""Full-text search of live articles: the reader's queries (docs/search.md).

A query is read once (`parse`): its words, and for each word or phrase that a
synonym group names, the group's other forms, so "period pain" also finds
"dysmenorrhoea" and "anemia" finds "anaemia". Every word (or any of its
forms) must match. When nothing does:

1. each word that no live page or synonym uses is replaced by the closest
   word that one does (`correction`), and the corrected query is searched
   ("Did you mean …?");
2. failing that, articles matching some of the words are shown, those
   matching most ranked first.

On PostgreSQL the stored tsvector (see articles/delivery/search_index.py) is
matched with a tsquery made of the alternatives, ranked with ts_rank and
highlighted with ts_headline; a misspelling's candidates come from the
vocabulary through a GIN trigram index (pg_trgm), ordered by trigram word
similarity.
On SQLite: a case-insensitive match of any alternative of each word, newest
first; a misspelling's candidates are the vocabulary words with its first
letter. Either way difflib's ratio picks among the candidates.

At equal relevance, pages whose re-review is overdue come after current ones.
"""

import dataclasses
import difflib
import functools
import operator
import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles import search_words
from articles.delivery.search_index import CONFIG, is_postgresql
from articles.models import Synonym, VocabularyWord
from articles.text import single_line

MAX_QUERY_LENGTH = 200
# Words of a query that are searched; the rest are left out.
MAX_WORDS = 12
# Ranked among the newest matches, so a word in every article costs no more
# than a rare one. (Ten pages of results; older matches are past page ten.)
CANDIDATES = 100
# Snippets come from the start of the text: ts_headline reads all it is given.
SNIPPET_SOURCE = 5000
# Sentinels around matches; the snippet is escaped, then they become <mark>.
START, STOP = "\u27e6", "\u27e7"
# Quotes, "or" or a leading minus: websearch syntax, searched as written.
OPERATORS = re.compile(r'"|(?:^|\s)-\w|\bor\b', re.IGNORECASE)
# Words of one query checked for misspellings.
MAX_CORRECTED = 6
# Candidates read per word and per way of finding them.
CANDIDATES_PER_WORD = 5
# A correction is at least this similar to the word typed (difflib's ratio:
# "excema" and "eczema" score 0.83, "pian" and "pain" 0.75).
MIN_RATIO = 0.75


@dataclasses.dataclass(frozen=True)
class Query:
    """A reader's query, read: its text, and for each word or phrase the
    forms that may stand for it (the first is the reader's own)."""

    text: str
    parts: tuple[tuple[str, ...], ...]
    # Written in websearch syntax: searched as written, without synonyms.
    as_written: bool = False
    # Any part may match, not every one: the last resort of `find`.
    any_part: bool = False

    @property
    def words(self) -> list[str]:
        return [word for part in self.parts for word in part[0].split()]


@dataclasses.dataclass(frozen=True)
class Found:
    """What a search found: the ranked results, how many (up to
    CANDIDATES + 1), and the query searched, which is a correction of the
    reader's when theirs found nothing and the correction did."""

    query: Query
    results: object
    counted: object
    count: int
    corrected_from: str = ""

    @property
    def partial(self) -> bool:
        """The results match some of the words only."""
        return self.query.any_part


def clean_query(raw: str) -> str:
    """Trim, collapse whitespace, drop control characters (PostgreSQL refuses
    NUL) and cap the length of a reader's query."""
    return single_line(raw)[:MAX_QUERY_LENGTH]


def was_shortened(raw: str) -> bool:
    """Whether `clean_query` cut the query to MAX_QUERY_LENGTH characters."""
    return len(single_line(raw)) > MAX_QUERY_LENGTH


def parse(text: str) -> Query:
    """Read a query: its words, and the synonyms of its words and phrases,
    longest phrase first (one query, none for websearch syntax)."""
    query_words = search_words.words(text)[:MAX_WORDS]
    if OPERATORS.search(text):
        return Query(text, tuple((word,) for word in query_words), as_written=True)
    forms_of: dict[str, list[str]] = {}
    groups = Synonym.objects.matching(search_words.phrases(query_words))
    for lookup in groups.values_list("lookup", flat=True):
        forms = lookup.strip("|").split("|")
        for form in forms:
            forms_of.setdefault(form, []).extend(forms)
    parts, start = [], 0
    while start < len(query_words):
        for length in range(
            min(search_words.LONGEST_PHRASE, len(query_words) - start), 0, -1
        ):
            phrase = " ".join(query_words[start : start + length])
            if length == 1 or phrase in forms_of:
                break
        parts.append(tuple(dict.fromkeys([phrase, *forms_of.get(phrase, [])])))
        start += length
    return Query(text, tuple(parts))


def _as_query(query: "Query | str") -> Query:
    return query if isinstance(query, Query) else parse(query)


def tsquery(query: Query) -> SearchQuery:
    """The PostgreSQL tsquery: every part, each as any of its forms (a phrase
    as a phrase). websearch_to_tsquery has no parentheses, so the forms are
    combined as SearchQuery objects, not written into one string."""
    if query.as_written or not query.parts:
        return SearchQuery(query.text, search_type="websearch", config=CONFIG)
    either = [
        functools.reduce(
            operator.or_,
            (
                SearchQuery(
                    form,
                    search_type="phrase" if " " in form else "plain",
                    config=CONFIG,
                )
                for form in forms
            ),
        )
        for forms in query.parts
    ]
    return functools.reduce(operator.or_ if query.any_part else operator.and_, either)


def search(queryset, query: "Query | str"):
    """Live articles matching `query`, best first, each with a `snippet`.

    On PostgreSQL the GIN index finds the matches; the newest CANDIDATES of
    them are ranked by how well the title and summary match (a small vector,
    so ranking never reads whole bodies), then current before overdue for
    re-review, then by recency. A common word thus costs the same as a rare
    one, whatever the size of the library. Snippets are made for the page's
    ten results only, from the start of the text.
    """
    query = _as_query(query)
    overdue = Case(
        When(next_review_due__lt=timezone.localdate(), then=Value(1)),
        default=Value(0),
    )
    if is_postgresql():
        ts = tsquery(query)
        newest = newest_matches(queryset.model.objects.live(), query).values("pk")[
            :CANDIDATES
        ]
        return (
            queryset.filter(pk__in=newest)
            .annotate(
                rank=SearchRank(F("search_rank_vector"), ts),
                overdue=overdue,
                snippet=SearchHeadline(
                    Substr("search_text", 1, SNIPPET_SOURCE),
                    ts,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                ),
            )
            .order_by("-rank", "overdue", "-last_published_at")
        )
    # SQLite has no rank: articles with more of the words come first, then
    # current before overdue, then newest.
    hits = functools.reduce(
        operator.add,
        (
            Case(When(part, then=Value(1)), default=Value(0))
            for part in _sqlite_parts(query)
        ),
        Value(0),
    )
    return (
        matches(queryset, query)
        .annotate(overdue=overdue, hits=hits)
        .order_by("-hits", "overdue", "-last_published_at")
    )


def newest_matches(queryset, query: "Query | str"):
    """Matches newest first: what is ranked, paginated and counted (up to
    CANDIDATES + 1, so a page can say "more than 100 results")."""
    return matches(queryset, query).order_by("-last_published_at")


def matches(queryset, query: "Query | str"):
    """The articles of `queryset` that match `query`, in no particular order."""
    query = _as_query(query)
    if is_postgresql():
        return queryset.filter(search_vector=tsquery(query))
    either = _sqlite_parts(query)
    if not either:
        return queryset.none()
    return queryset.filter(
        functools.reduce(operator.or_ if query.any_part else operator.and_, either)
    )


def _sqlite_parts(query: Query) -> list[Q]:
    """On SQLite, a condition per part of the query: any of its forms, each
    form's words all in the title, summary or text. A word is looked for
    without a plural ending ("fevers" as "fever", "allergies" as "allerg"),
    and, when any part may match, words of one or two letters and common
    words are left out (they would match nearly everything)."""

    def has(word: str) -> Q:
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        return (
            Q(live_revision__title__icontains=word)
            | Q(live_revision__summary__icontains=word)
            | Q(search_text__icontains=word)
        )

    def wanted(forms: tuple[str, ...]) -> bool:
        return not query.any_part or any(
            len(form) > 2 and form not in search_words.COMMON_WORDS for form in forms
        )

    return [
        functools.reduce(
            operator.or_,
            (
                functools.reduce(operator.and_, (has(w) for w in form.split()))
                for form in forms
            ),
        )
        for forms in query.parts
        if wanted(forms)
    ]


def correction(query: Query) -> str:
    """The query with each word that no live page or synonym uses replaced by
    the closest one that does; "" when there is nothing to correct."""
    typed = query.words
    candidates = [w for w in dict.fromkeys(typed) if search_words.correctable(w)]
    if not candidates:
        return ""
    candidates = candidates[:MAX_CORRECTED]
    found = (_candidates_postgresql if is_postgresql() else _candidates_sqlite)(
        candidates
    )
    closest = {word: _closest(word, found.get(word, {})) for word in candidates}
    corrected = [closest.get(word) or word for word in typed]
    return " ".join(corrected) if corrected != typed else ""


def _closest(word: str, known: dict[str, int]) -> str:
    """The word itself if known, else the most similar known word (then the
    most used), if similar enough."""
    if word in known:
        return word
    scored = [
        (difflib.SequenceMatcher(None, word, other).ratio(), used, other)
        for other, used in known.items()
    ]
    best = max(scored, default=(0, 0, ""))
    return best[2] if best[0] >= MIN_RATIO else ""


def _candidates_postgresql(words: list[str]) -> dict[str, dict[str, int]]:
    """For each word, vocabulary words like it, in one query through the GIN
    trigram index: those of trigram similarity ≥ pg_trgm's threshold (a
    wrong first letter), and those with the same first letter (a
    transposition, which shares few trigrams), each the closest few by
    trigram word similarity."""
    branches = []
    for word in words:
        for like in (Q(word__trigram_similar=word), Q(word__startswith=word[0])):
            branches.append(
                VocabularyWord.objects.filter(like)
                .annotate(
                    typed=Value(word),
                    similarity=TrigramWordSimilarity(word, "word"),
                )
                .order_by("-similarity", "-articles")
                .values_list("typed", "word", "articles")[:CANDIDATES_PER_WORD]
            )
    found: dict[str, dict[str, int]] = {}
    for typed, word, used in branches[0].union(*branches[1:], all=True):
        found.setdefault(typed, {})[word] = used
    return found


def _candidates_sqlite(words: list[str]) -> dict[str, dict[str, int]]:
    """The fallback: the vocabulary words with the first letter of each word
    (one query). A misspelt first letter is not corrected."""
    initials = {word[0] for word in words}
    rows = VocabularyWord.objects.filter(
        functools.reduce(operator.or_, (Q(word__startswith=c) for c in initials))
    ).values_list("word", "articles")
    found: dict[str, dict[str, int]] = {}
    for known, used in rows:
        for word in words:
            if known[0] == word[0]:
                found.setdefault(word, {})[known] = used
    return found


def count(queryset, query: Query):
    """The matches to count, and how many (up to CANDIDATES + 1)."""
    counted = newest_matches(queryset.model.objects.live(), query)
    return counted, counted.values("pk")[: CANDIDATES + 1].count()


def find(queryset, text: str) -> Found:
    """Search for `text`; when it finds nothing, for its correction; when
    that finds nothing either, for articles with some of its words. At most
    seven queries, three when the reader's own query finds something."""
    query = original = parse(text)
    counted, total = count(queryset, query)
    if total:
        return Found(query, search(queryset, query), counted, total)
    corrected_from = ""
    if corrected := correction(query):
        query, corrected_from = parse(corrected), text
        counted, total = count(queryset, query)
    if not total and len(query.parts) > 1 and not query.as_written:
        query = dataclasses.replace(query, any_part=True)
        counted, total = count(queryset, query)
    if not total:
        return Found(original, queryset.none(), queryset.none(), 0)
    return Found(query, search(queryset, query), counted, total, corrected_from)


def highlight(snippet: str) -> SafeString:
    """Escape a ts_headline snippet and turn its sentinels into <mark>."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
