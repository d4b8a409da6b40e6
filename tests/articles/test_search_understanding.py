"""Search that understands readers: misspellings, lay words and both
spellings find the article, "Did you mean" offers the right word, overdue
pages rank after current ones, and bad input gets a clear answer. The same
tests run on PostgreSQL and on the SQLite fallback."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Synonym
from articles.public import search
from tests.conftest import create_article, publish
from tests.tasks import run_tasks

BODY = "What the trials show [@najmabadi2021]."


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.HEALTH_PAGE_CACHE = False


@pytest.fixture
def library(writer, reviewer, editor, reference):
    """Three live articles, in British English, indexed."""
    pages = {}
    for slug, title, summary in [
        (
            "miscarriage",
            "After a miscarriage: your options",
            "What happens after a miscarriage is diagnosed.",
        ),
        (
            "anaemia",
            "Anaemia in pregnancy",
            "Why iron matters, and how anaemia is treated.",
        ),
        (
            "dysmenorrhoea",
            "Dysmenorrhoea: painful periods explained",
            "Why cramps happen and what helps.",
        ),
    ]:
        article = create_article(
            writer, slug=slug, title=title, summary=summary, body=BODY
        )
        pages[slug] = publish(article, writer, reviewer, editor)
    run_tasks(commit_first=True)
    return pages


def result_slugs(client, q: str) -> list[str]:
    html = client.get("/search/", {"q": q}).text
    return [
        slug
        for slug in ("miscarriage", "anaemia", "dysmenorrhoea", "current", "overdue")
        if f"to={slug}" in html
    ]


def test_the_seed_list_is_loaded(db):
    """The migration loaded the seed list: spellings and lay words."""
    assert Synonym.objects.matching(["anemia"]).exists()
    assert Synonym.objects.matching(["period pain"]).exists()
    assert Synonym.objects.count() > 300


def test_a_misspelling_finds_the_article(client, library):
    """ "miscariage" finds the miscarriage article."""
    assert result_slugs(client, "miscariage") == ["miscarriage"]


def test_an_american_spelling_finds_the_british_article(client, library):
    """ "anemia" finds the article that says "anaemia"."""
    assert result_slugs(client, "anemia") == ["anaemia"]


def test_a_lay_term_finds_the_clinical_article(client, library):
    """ "period pain" finds the article on dysmenorrhoea."""
    assert result_slugs(client, "period pain") == ["dysmenorrhoea"]


def test_a_clinical_term_finds_itself_in_either_spelling(client, library):
    """ "dysmenorrhea" (American) finds "dysmenorrhoea"."""
    assert result_slugs(client, "dysmenorrhea") == ["dysmenorrhoea"]


def test_did_you_mean_offers_the_right_word(client, library):
    """The corrected query is offered as a link, and its results shown."""
    html = client.get("/search/", {"q": "miscariage"}).text
    assert 'Did you mean <a href="/search/?q=miscarriage">miscarriage</a>?' in html
    assert "No articles match “miscariage”. Showing 1 result for “miscarriage”." in html


def test_a_word_the_site_uses_is_not_corrected(library):
    """A known word stays as typed: nothing to correct."""
    assert search.correction(search.parse("anaemia pregnancy")) == ""


def test_nothing_close_gets_no_suggestion(client, library):
    """A word like nothing on the site: no results, and no "Did you mean"."""
    html = client.get("/search/", {"q": "qwxzvbk"}).text
    assert "No articles match “qwxzvbk”" in html
    assert "Did you mean" not in html


def test_an_editors_new_synonym_is_used(client, library):
    """A group an editor adds expands queries at once."""
    Synonym.objects.create(term="iron-poor blood", equivalents="anaemia")
    assert result_slugs(client, "iron-poor blood") == ["anaemia"]


def test_quotes_are_searched_as_written(client, library):
    """Quotes work as before (websearch syntax), without synonyms."""
    assert result_slugs(client, '"painful periods"') == ["dysmenorrhoea"]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="websearch syntax is PostgreSQL's"
)
def test_a_minus_leaves_words_out(client, library):
    """On PostgreSQL, websearch syntax's minus excludes a word."""
    assert result_slugs(client, "anaemia -pregnancy") == []


@pytest.fixture
def overdue_and_current(writer, reviewer, editor, reference):
    """Two equally relevant live articles; one is overdue for re-review.
    The overdue one is the newer, so recency alone would put it first."""
    pages = {}
    for slug in ("current", "overdue"):
        article = create_article(
            writer,
            slug=slug,
            title="Folic acid before pregnancy",
            summary="How much folic acid to take.",
            body=BODY,
        )
        pages[slug] = publish(article, writer, reviewer, editor)
    Article.objects.filter(pk=pages["overdue"].pk).update(
        next_review_due=datetime.date(2001, 1, 1)
    )
    run_tasks(commit_first=True)
    return pages


def test_overdue_pages_rank_below_equally_relevant_current_ones(
    client, overdue_and_current
):
    """At equal relevance, the current page comes first."""
    assert result_slugs(client, "folic acid") == ["current", "overdue"]
    html = client.get("/search/", {"q": "folic acid"}).text
    assert html.index("to=current") < html.index("to=overdue")


def test_each_result_shows_its_last_reviewed_date(client, library):
    """Readers see when each result was last reviewed."""
    article = library["anaemia"]
    html = client.get("/search/", {"q": "anaemia"}).text
    assert f'Last reviewed <time datetime="{article.last_reviewed:%Y-%m-%d}">' in html


def test_a_search_that_finds_runs_two_or_three_queries(client, library):
    """Synonyms, then the count and the page: one statement on PostgreSQL,
    two on SQLite."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", {"q": "anaemia"}).status_code == 200
    assert len(queries) == (2 if connection.vendor == "postgresql" else 3)


@pytest.mark.parametrize("q", ["miscariage", "miscariage cramps", "zzzz qqqq"])
def test_a_search_that_finds_nothing_runs_at_most_seven_queries(client, library, q):
    """Nothing found; the vocabulary, the corrected search, and the search
    for some of the words: seven at most (six on PostgreSQL)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", {"q": q}).status_code == 200
    assert len(queries) <= (6 if connection.vendor == "postgresql" else 7)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram correction is PostgreSQL's"
)
def test_a_transposition_is_corrected(client, library):
    """ "perdios" shares too few trigrams with "periods" to pass pg_trgm's
    threshold; the candidates of its first letter and length find it."""
    html = client.get("/search/", {"q": "perdios"}).text
    assert 'Did you mean <a href="/search/?q=periods">periods</a>?' in html
    assert result_slugs(client, "perdios") == ["dysmenorrhoea"]


def test_some_of_the_words_is_the_last_resort(client, library):
    """No article has every word: those with some of them, and the reader
    is told."""
    html = client.get("/search/", {"q": "anaemia periods"}).text
    assert "No articles match every word of “anaemia periods”" in html
    assert set(result_slugs(client, "anaemia periods")) == {"anaemia", "dysmenorrhoea"}


def test_a_correction_and_some_of_the_words_together(client, library):
    """ "miscariage anaemia": corrected, then some of the words."""
    html = client.get("/search/", {"q": "miscariage anaemia"}).text
    assert "Did you mean" in html and "miscarriage anaemia" in html
    assert set(result_slugs(client, "miscariage anaemia")) == {"miscarriage", "anaemia"}


def test_a_too_long_query_says_it_was_shortened(client, library):
    """10,000 characters: searched as its first 200, and the reader told."""
    response = client.get("/search/", {"q": "anaemia " + "x" * 10_000})
    assert response.status_code == 200
    assert "only its first 200 characters were searched" in response.text
    assert 'maxlength="200"' in response.text


def test_a_short_query_is_not_said_to_be_shortened(client, library):
    assert "were searched" not in client.get("/search/", {"q": "anaemia"}).text


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "a" * 10_000, "&&&|||"])
def test_bad_input_gets_a_clear_answer(client, library, q):
    """Markup, symbols and 10,000 characters: a page, escaped, never an error."""
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert 'role="status"' in response.text


@pytest.mark.parametrize("q", ["anae\x00mia", "\x00"])
def test_a_nul_gets_a_readable_refusal(client, library, q):
    """The site's answer to a NUL in any address: 400, saying why."""
    response = client.get("/search/", {"q": q})
    assert response.status_code == 400
    assert "contained invalid characters" in response.text


def test_markup_is_shown_escaped(client, library):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
