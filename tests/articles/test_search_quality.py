"""The search quality set (benchmarks/search_queries.toml): readers' queries,
misspelled, in lay words or other spellings, find the article they mean."""

import os

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from benchmarks import search_set
from tests.tasks import run_tasks

# SQLite's search has the synonyms and corrects misspellings with difflib, but
# matches words without stemming or ranking: held to less (0.86 when written).
SQLITE_FLOOR = 0.8


@pytest.fixture
def quality_set(db, settings):
    """The demo content and the set's articles, live and indexed."""
    settings.HEALTH_PAGE_CACHE = False
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    search_set.load_articles(
        *(User.objects.get(username=name) for name in ("writer", "reviewer", "editor"))
    )
    run_tasks(limit=1000, commit_first=True)


def test_the_set_has_sixty_cases_each_with_a_live_target(quality_set):
    """Every kind is there, and every expected article is live."""
    from articles.models import Article

    cases = search_set.cases()
    assert len(cases) >= 60
    assert {case.kind for case in cases} == set(search_set.KINDS)
    live = set(Article.objects.live().values_list("slug", flat=True))
    assert {case.expect for case in cases} <= live


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="held to 0.9 on PostgreSQL, whose search stems, ranks and corrects "
    "misspellings by trigram similarity; SQLite is checked below",
)
def test_recall_at_5_is_at_least_90_percent(client, quality_set):
    """Nine in ten queries find their article in the first five results."""
    results = search_set.evaluate(client)
    assert search_set.recall(results) >= 0.9, search_set.report(results)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL is held to 0.9 above"
)
def test_sqlite_search_still_finds_the_plain_cases(client, quality_set):
    """SQLite's simpler search still finds four in five."""
    results = search_set.evaluate(client)
    assert search_set.recall(results) >= SQLITE_FLOOR, search_set.report(results)
