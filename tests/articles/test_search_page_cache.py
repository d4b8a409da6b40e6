"""Common searches are kept by the page cache: a query's results page is
kept from its second ask, under the purge generation, so a repeat runs no SQL
and a publication or withdrawal retires every kept page."""

import pytest

from articles.delivery import page_cache
from tests.tasks import run_tasks


@pytest.fixture
def live(live_in_topic):
    """The live article, indexed (PostgreSQL's index is written by a task)."""
    run_tasks(commit_first=True)
    return live_in_topic


def test_a_query_asked_again_is_kept_and_then_runs_no_sql(
    client, live, django_assert_num_queries
):
    first = client.get("/search/?q=mucus")
    assert first["X-Page-Cache"] == "miss"
    assert "Cervical mucus" in first.text
    second = client.get("/search/?q=mucus")
    assert second["X-Page-Cache"] == "miss"  # asked again: kept now
    with django_assert_num_queries(0):
        third = client.get("/search/?q=mucus")
    assert third["X-Page-Cache"] == "hit"
    assert third.content == second.content


def test_a_query_asked_once_is_not_kept(client, live):
    client.get("/search/?q=fertile")
    assert client.get("/search/?q=mucus")["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=window")["X-Page-Cache"] == "miss"


def test_a_publication_retires_kept_results(client, live, editor, commit):
    for _ in range(3):
        client.get("/search/?q=mucus")
    assert client.get("/search/?q=mucus")["X-Page-Cache"] == "hit"
    with commit():
        live.unpublish(by=editor, reason="Out of date.")
    run_tasks(commit_first=True)
    response = client.get("/search/?q=mucus")
    assert response["X-Page-Cache"] == "miss"
    assert "Cervical mucus" not in response.text


@pytest.mark.parametrize(
    "query, kept",
    [
        ("q=mucus", True),
        ("q=mucus&page=2", True),
        ("q=mucus&utm_source=x", True),
        ("q=mucus&page=21", False),
        ("q=mucus&page=0", False),
        ("q=mucus&sort=new", False),
        ("q=mucus&q=other", False),
        ("page=2", False),
        ("q=" + "x" * 201, False),
    ],
)
def test_what_the_search_key_takes(db, query, kept):
    place = page_cache.search_address(query)
    assert (place.key is not None) is kept


def test_nothing_is_kept_while_the_cache_is_down(client, live, dead_redis, settings):
    settings.HEALTH_PAGE_CACHE_ALIAS = "default"
    assert not page_cache.asked_again("page:x")
    for _ in range(3):
        response = client.get("/search/?q=mucus")
        assert response.status_code == 200
