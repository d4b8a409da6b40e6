"""Search suggestions: live titles and topics matching what a reader types,
answered as JSON from the page cache, with clear refusals of bad input."""

import pytest
from django.db import connection

from articles.delivery import page_cache
from articles.models import Topic
from articles.public import suggest
from tests.conftest import create_article, publish

URL = "/search/suggest/"


@pytest.fixture
def library(writer, reviewer, editor, reference, commit):
    """Three live articles, one draft, and a topic."""
    Topic.objects.create(name="Anaemia and blood", slug="blood")
    titles = {
        "anaemia": "Anaemia: tiredness and iron",
        "anaemia-pregnancy": "Anaemia in pregnancy",
        "period-pain": "Period pain (dysmenorrhoea)",
    }
    live = {}
    for slug, title in titles.items():
        with commit():
            live[slug] = publish(
                create_article(writer, slug=slug, title=title),
                writer,
                reviewer,
                editor,
            )
    create_article(writer, slug="draft", title="Anaemic draft, never published")
    return live


def labels(response) -> list[str]:
    return [item["label"] for item in response.json()["suggestions"]]


def test_titles_and_topics_starting_with_the_query_are_suggested(client, library):
    """Articles first, alphabetically, then topics; each with its address."""
    response = client.get(URL, {"q": "anaem"})
    assert response.status_code == 200
    assert [tuple(item.values()) for item in response.json()["suggestions"]] == [
        ("Anaemia in pregnancy", "/articles/anaemia-pregnancy/", "article"),
        ("Anaemia: tiredness and iron", "/articles/anaemia/", "article"),
        ("Anaemia and blood", "/topics/blood/", "topic"),
    ]


def test_case_and_spaces_do_not_matter(client, library):
    """What a reader types is matched in lower case, with single spaces."""
    assert labels(client.get(URL, {"q": "  ANAEMIA   in "})) == ["Anaemia in pregnancy"]


def test_a_word_inside_a_title_is_suggested_from_three_characters(client, library):
    """ "dysm" finds "Period pain (dysmenorrhoea)"; two letters only start titles."""
    assert labels(client.get(URL, {"q": "dysm"})) == ["Period pain (dysmenorrhoea)"]
    assert labels(client.get(URL, {"q": "pa"})) == []
    assert labels(client.get(URL, {"q": "pai"})) == ["Period pain (dysmenorrhoea)"]


def test_a_draft_title_is_never_suggested(client, library):
    """Only live revisions' titles are read."""
    assert "Anaemic draft, never published" not in labels(client.get(URL, {"q": "an"}))


def test_a_live_article_shows_its_live_title_not_the_new_draft_one(
    client, library, writer
):
    """A title changed in a draft shows only once the change is published."""
    article = library["period-pain"]
    article.title = "Secret new title"
    article.save()
    article.save_revision(by=writer)
    assert labels(client.get(URL, {"q": "secret"})) == []
    assert labels(client.get(URL, {"q": "period"})) == ["Period pain (dysmenorrhoea)"]


def test_at_most_eight_suggestions(client, writer, reviewer, editor, reference):
    """However many titles match, eight are suggested."""
    for n in range(10):
        publish(
            create_article(writer, slug=f"iron-{n}", title=f"Iron tablets {n}"),
            writer,
            reviewer,
            editor,
        )
    assert len(labels(client.get(URL, {"q": "iron"}))) == suggest.LIMIT == 8


def test_a_repeated_suggestion_runs_no_sql(client, library, django_assert_num_queries):
    """The second request for the same query is a page-cache hit."""
    first = client.get(URL, {"q": "anaem"})
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(URL, {"q": "anaem"})
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "s-maxage=300" in second["Cache-Control"]
    assert second["Surrogate-Key"] == "search"


def test_each_query_is_kept_apart(client, library):
    """A cached answer for one query is never given for another."""
    client.get(URL, {"q": "anaem"})
    response = client.get(URL, {"q": "peri"})
    assert response["X-Page-Cache"] == "miss"
    assert labels(response) == ["Period pain (dysmenorrhoea)"]


def test_a_withdrawn_article_is_never_suggested(client, library, editor, commit):
    """Not even from the cache: the withdrawal's purge retires every kept
    suggestion."""
    assert "Anaemia in pregnancy" in labels(client.get(URL, {"q": "anaem"}))
    with commit():
        library["anaemia-pregnancy"].unpublish(by=editor, reason="Superseded.")
    response = client.get(URL, {"q": "anaem"})
    assert response["X-Page-Cache"] == "miss"
    assert "Anaemia in pregnancy" not in labels(response)


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type at least 2 characters."),
        (" a ", "Type at least 2 characters."),
        ("an\u2028", "Search text cannot hold control characters."),
        ("a" * 101, "Type at most 100 characters."),
        ("a" * 10_000, "Type at most 100 characters."),
    ],
)
def test_bad_input_gets_a_json_error(client, db, q, message):
    """A query suggestions cannot take is refused with a reason, never kept."""
    response = client.get(URL, {"q": q})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": message}
    assert "X-Page-Cache" not in response or response["X-Page-Cache"] == "miss"


def test_a_nul_is_refused_before_any_view(client, db):
    """The site's own refusal of a NUL in an address (a readable 400 page)."""
    response = client.get(URL, {"q": "an\x00"})
    assert response.status_code == 400
    assert "X-Page-Cache" not in response or response["X-Page-Cache"] == "miss"
    assert client.get(URL, {"q": "an\x00"}).status_code == 400


def test_markup_in_a_query_is_only_text(client, library):
    """A script in the query matches nothing and is never echoed back."""
    response = client.get(URL, {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"suggestions": []}
    assert b"<script" not in response.content


def test_regular_expression_characters_are_plain_text(client, library):
    """A query such as "(dys" or "a.*" is matched literally."""
    assert labels(client.get(URL, {"q": "(dys"})) == []
    assert labels(client.get(URL, {"q": "an.*"})) == []


def test_like_wildcards_are_plain_text(client, library):
    """ "%" and "_" match themselves, not any text or any letter."""
    assert labels(client.get(URL, {"q": "an_emia"})) == []
    assert labels(client.get(URL, {"q": "%emia"})) == []
    assert labels(client.get(URL, {"q": "anaemia%"})) == []
    assert labels(client.get(URL, {"q": "anaemia\\"})) == []


def test_only_get_and_head_are_answered(client, db):
    """Suggestions change nothing: other methods are refused."""
    assert client.post(URL, {"q": "an"}).status_code == 405


def test_suggestions_are_kept_per_query_under_the_purge_generation(db):
    """The key names the query and the generation; other parameters are
    answered without being kept."""
    place = page_cache.address(URL, "q=an%C3%A6&utm_source=x")
    assert place.key.endswith("/search/suggest/?q=an%C3%A6&generation=0")
    assert page_cache.address(URL, "q=an&page=2") == page_cache.Address()
    assert page_cache.address(URL, "q=" + "a" * 101) == page_cache.Address()


def test_head_answers_like_get_with_no_body(client, library):
    """HEAD, rendered and then from the cache, and on a refusal."""
    for q in ("anaem", "anaem", "a"):
        expected = client.get(URL, {"q": q}).status_code
        head = client.head(URL, {"q": q})
        assert head.status_code == expected
        assert head.content == b""


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the time limit is PostgreSQL's"
)
def test_a_word_search_that_takes_too_long_gives_way(library, monkeypatch):
    """A word search past its time limit is cancelled: the names that start
    with the query are still suggested, and the connection (and the
    transaction around it) go on with no limit left behind."""
    monkeypatch.setattr(suggest, "WORD_TIMEOUT_MS", 20)
    monkeypatch.setattr(
        suggest, "WORD_SQL", "SELECT 3, 'slow', 'Slow' FROM pg_sleep(0.5)"
    )
    found = [row["label"] for row in suggest.suggestions("anaemia")]
    assert "Anaemia in pregnancy" in found and "Slow" not in found
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
