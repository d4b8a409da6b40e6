"""The results page's pages and snippets: each page of results is its own,
a page past the last shows the last, and on PostgreSQL a word deep in a long
article is shown in its snippet."""

import re

import pytest
from django.db import connection

from benchmarks.library import generate
from tests.conftest import create_article, publish
from tests.tasks import run_tasks


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.HEALTH_PAGE_CACHE = False


def slugs(client, **params) -> list[str]:
    html = client.get("/search/", {"q": "pregnancy", **params}).text
    return re.findall(r"to=(generated-\d+)", html)


def test_every_page_of_results_is_its_own(client, writer, reviewer, reference):
    """25 matches: pages of 10, 10 and 5, none repeated; a page past the
    last shows the last; not a number, the first."""
    generate(25)
    pages = [slugs(client, page=n) for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [10, 10, 5]
    assert len({slug for page in pages for slug in page}) == 25
    assert slugs(client, page=9) == pages[2]
    assert slugs(client, page="last") == pages[0]
    assert slugs(client, page="x") == pages[0]
    assert slugs(client, page=-3) == pages[2]  # as Django's paginator does
    assert slugs(client, page="9" * 30) == pages[2]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="snippets are PostgreSQL's"
)
def test_a_word_deep_in_a_long_article_is_in_its_snippet(
    client, writer, reviewer, editor, reference
):
    """The snippet is read around the first likely match, not from the start
    of the text: a word after 20,000 characters is shown, marked."""
    body = "Filler about something else entirely. " * 520
    body += "Here zymogenic granules are described [@najmabadi2021]."
    article = create_article(
        writer, slug="deep", title="A long page", summary="Long.", body=body
    )
    publish(article, writer, reviewer, editor)
    run_tasks(commit_first=True)
    html = client.get("/search/", {"q": "zymogenic"}).text
    assert "to=deep" in html
    assert "<mark>zymogenic</mark> granules" in html


def test_a_title_match_ranks_before_a_match_in_the_text(
    client, writer, reviewer, editor, reference
):
    """Both pages match the one word; the older has it in its title and comes
    first (PostgreSQL ranks on the title and summary; the SQLite fallback
    counts title matches)."""
    titled = create_article(
        writer, slug="titled", title="Zymogen granules", summary="Short."
    )
    publish(titled, writer, reviewer, editor)
    texted = create_article(
        writer,
        slug="texted",
        title="Another page",
        summary="Short.",
        body="A word on zymogen granules [@najmabadi2021].",
    )
    publish(texted, writer, reviewer, editor)
    run_tasks(commit_first=True)
    html = client.get("/search/", {"q": "zymogen"}).text
    assert re.findall(r"to=(titled|texted)", html) == ["titled", "texted"]
