"""At 10,000 live articles every page runs the same queries as on the demo."""

import os

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.library import generate
from tests.tasks import run_tasks

PAGES = [
    "/",
    "/articles/cervical-mucus-fertile-window/",
    "/topics/fertility/",
    "/contributors/wendy-hart/",
    "/search/?q=pregnancy",
    "/search/?q=progesterone+trial",
    "/feed/",
]


def query_counts(client) -> dict[str, int]:
    counts = {}
    for url in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_library(
    client, db, settings, django_capture_on_commit_callbacks
):
    """Home, article, topic, contributor, search and feed pages, and the
    editor's article list, cost the same number of queries at 10,000 articles
    as on the demo content, each no more than three."""
    settings.HEALTH_PAGE_CACHE = False
    with (
        open(os.devnull, "w") as quiet,
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("seed_demo", stdout=quiet)
    run_tasks()  # the search index
    small = query_counts(client)
    editor = User.objects.get(username="editor")
    client.force_login(editor)
    with CaptureQueriesContext(connection) as admin_small:
        assert (
            client.get(reverse("admin:articles_article_changelist")).status_code == 200
        )
    client.logout()

    assert generate(10_000) > 10_000
    large = query_counts(client)
    assert large == small
    assert max(large.values()) <= 3
    with CaptureQueriesContext(connection) as deep:
        assert client.get("/topics/fertility/?page=40").status_code == 200
    assert len(deep) == large["/topics/fertility/"]
    client.force_login(editor)
    with CaptureQueriesContext(connection) as admin_large:
        response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    assert len(admin_large) == len(admin_small)
