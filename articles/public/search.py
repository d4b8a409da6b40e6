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
highlighted with ts_headline, each attempt in one statement
(articles/public/search_postgresql.py); a misspelling's candidates come from
the vocabulary through a GIN trigram index (pg_trgm), ordered by trigram word
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

from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles import search_words
from articles.delivery.search_index import is_postgresql
from articles.models import Article, Synonym, VocabularyWord
from articles.public import search_postgresql
from articles.public.search_postgresql import START, STOP
from articles.text import single_line

MAX_QUERY_LENGTH = 200
# Words of a query that are searched; the rest are left out.
MAX_WORDS = 12
# Ranked among the newest matches, so a word in every article costs no more
# than a rare one. (Ten pages of results; older matches are past page ten.)
CANDIDATES = 100
# Quotes, "or" or a leading minus: websearch syntax, searched as written.
OPERATORS = re.compile(r'"|(?:^|\s)-\w|\bor\b', re.IGNORECASE)
# Words of one query checked for misspellings.
MAX_CORRECTED = 6
# Results on a page (find reads the page asked for).
PAGE_SIZE = 10
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


class RankedPages:
    """The ranked matches of a query on PostgreSQL, for the paginator: the
    page `find` read comes without another statement; any other page is read
    when asked for."""

    def __init__(self, query: Query, offset: int, rows: list):
        self.query = query
        self.read = {offset: rows}

    def __getitem__(self, page: slice) -> list:
        start = page.start or 0
        if start not in self.read:
            self.read[start], _ = search_postgresql.ranked(
                self.query,
                timezone.localdate(),
                start,
                (page.stop or start + PAGE_SIZE) - start,
                CANDIDATES,
            )
        return self.read[start]


def search(queryset, query: "Query | str"):
    """The SQLite fallback's results: articles of `queryset` matching
    `query`, those with more of its words first (SQLite has no rank), then
    current before overdue for re-review, then newest. (PostgreSQL ranks in
    articles/public/search_postgresql.py.)"""
    query = _as_query(query)
    overdue = Case(
        When(next_review_due__lt=timezone.localdate(), then=Value(1)),
        default=Value(0),
    )
    return (
        matches(queryset, query)
        .annotate(
            overdue=overdue,
            hits=_count_true(_sqlite_parts(query)),
            title_hits=_count_true(_sqlite_parts(query, TITLE_ONLY)),
        )
        .order_by("-hits", "-title_hits", "overdue", "-last_published_at")
    )


def _count_true(conditions: list[Q]):
    """How many of `conditions` a row meets, as an expression."""
    return functools.reduce(
        operator.add,
        (Case(When(c, then=Value(1)), default=Value(0)) for c in conditions),
        Value(0),
    )


def matches(queryset, query: "Query | str"):
    """On SQLite, the articles of `queryset` that match `query`, in no
    particular order."""
    query = _as_query(query)
    either = _sqlite_parts(query)
    if not either:
        return queryset.none()
    return queryset.filter(
        functools.reduce(operator.or_ if query.any_part else operator.and_, either)
    )


# Where the SQLite fallback looks for a word: anywhere, or in the title
# (which ranks a page higher, as the title's weight A does on PostgreSQL).
ANYWHERE = ("live_revision__title", "live_revision__summary", "search_text")
TITLE_ONLY = ("live_revision__title",)


def _sqlite_parts(query: Query, fields: tuple[str, ...] = ANYWHERE) -> list[Q]:
    """On SQLite, a condition per part of the query: any of its forms, each
    form's words all in one of `fields` (by default the title, summary or
    text). A word is looked for
    without a plural ending ("fevers" as "fever", "allergies" as "allerg"),
    and, when any part may match, words of one or two letters and common
    words are left out (they would match nearly everything)."""

    def has(word: str) -> Q:
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        return functools.reduce(
            operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields)
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
    found = (
        search_postgresql.correction_candidates
        if is_postgresql()
        else _candidates_sqlite
    )(candidates)
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


def find(text: str, page: int = 1) -> Found:
    """Search live articles for `text`; when it finds nothing, for its
    correction; when that finds nothing either, for articles with some of its
    words. The results are read for `page`, the page the reader asked for
    (another is read if that one is past the last). On PostgreSQL at most six
    queries, two when the reader's own query finds something."""
    offset = (max(page, 1) - 1) * PAGE_SIZE
    attempt = _attempt_postgresql if is_postgresql() else _attempt_sqlite
    query = original = parse(text)
    results, total = attempt(query, offset)
    corrected_from = ""
    if not total and (corrected := correction(query)):
        query, corrected_from = parse(corrected), text
        results, total = attempt(query, offset)
    if not total and len(query.parts) > 1 and not query.as_written:
        query = dataclasses.replace(query, any_part=True)
        results, total = attempt(query, offset)
    if not total:
        return Found(original, [], 0)
    return Found(query, results, total, corrected_from)


def _attempt_postgresql(query: Query, offset: int):
    """One statement reads the live matches, their count and the page."""
    rows, total = search_postgresql.ranked(
        query, timezone.localdate(), offset, PAGE_SIZE, CANDIDATES
    )
    return RankedPages(query, offset, rows), total


def _attempt_sqlite(query: Query, offset: int):
    live = Article.objects.live()
    total = matches(live, query).values("pk")[: CANDIDATES + 1].count()
    shown = live.only("slug", "last_reviewed", "live_card")
    return search(shown, query), total


def highlight(snippet: str) -> SafeString:
    """Escape a ts_headline snippet and turn its sentinels into <mark>."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
