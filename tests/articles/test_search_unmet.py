"""What readers did not find: searches and clicks counted per normalised
query and per day, with no address, cookie or identity; personal data never
counted; the top unmet queries on the editors' dashboard."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from articles.models import DailyQuery
from tests.tasks import run_tasks

DASHBOARD = "admin:articles_article_dashboard"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.HEALTH_PAGE_CACHE = False


@pytest.fixture
def live(live_article):
    """The live article, indexed."""
    run_tasks(commit_first=True)
    live_article.refresh_from_db()
    return live_article


def seen(client, q: str, found: bool = False):
    return client.get("/search/seen/", {"q": q, "found": "1" if found else "0"})


def test_the_results_page_carries_the_beacon(client, live):
    """The first page of results names the query and whether it found any."""
    html = client.get("/search/", {"q": "Mucus"}).text
    assert '<img class="search-beacon" src="/search/seen/?q=Mucus&amp;found=1"' in html
    html = client.get("/search/", {"q": "zzzz"}).text
    assert 'src="/search/seen/?q=zzzz&amp;found=0"' in html


def test_result_links_go_through_the_counter(client, live):
    html = client.get("/search/", {"q": "mucus"}).text
    assert f'href="/search/go/?q=mucus&amp;to={live.slug}"' in html


def test_a_search_is_counted_per_normalised_query(client, db):
    """Case and spacing do not make another query."""
    seen(client, "Period  Pain")
    seen(client, "period pain")
    row = DailyQuery.objects.get()
    assert (row.query, row.searches, row.clicks, row.found) == (
        "period pain",
        2,
        0,
        False,
    )


def test_the_beacon_is_never_cached_and_sets_no_cookie(client, db):
    response = seen(client, "anemia")
    assert response["Content-Type"] == "image/gif"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_a_click_is_counted_and_redirects_to_the_article(client, live):
    response = client.get("/search/go/", {"q": "mucus", "to": live.slug})
    assert response.status_code == 302
    assert response["Location"] == live.get_absolute_url()
    assert "no-store" in response["Cache-Control"]
    assert DailyQuery.objects.get().clicks == 1


@pytest.mark.parametrize("to", ["", "none", "../admin/", "a" * 300])
def test_a_click_to_anything_but_a_live_article_is_404(client, live, to):
    """No open redirect, and nothing counted."""
    assert client.get("/search/go/", {"q": "mucus", "to": to}).status_code == 404
    assert not DailyQuery.objects.exists()


def test_a_draft_is_not_a_destination(client, article):
    assert client.get("/search/go/", {"q": "x", "to": article.slug}).status_code == 404


@pytest.mark.parametrize(
    "q",
    [
        "jane.doe@example.com",
        "results for me@example.org",
        "07700 900123",
        "nhs 943 476 5919",
        "born 12/03/1985",
    ],
)
def test_queries_that_look_like_personal_data_are_not_counted(client, db, q):
    seen(client, q)
    client.get("/search/go/", {"q": q, "to": "x"})
    assert not DailyQuery.objects.exists()


def test_short_numbers_still_count(client, db):
    """A week of pregnancy or a dose is not personal data."""
    seen(client, "12 weeks 400 mg")
    assert DailyQuery.objects.get().query == "12 weeks 400 mg"


@pytest.mark.parametrize("q", ["x" * 10_000, "<script>alert(1)</script>", "&&&"])
def test_bad_input_to_the_counters_gets_an_answer(client, db, q):
    assert seen(client, q).status_code == 200
    assert client.get("/search/go/", {"q": q, "to": "none"}).status_code == 404
    for row in DailyQuery.objects.all():
        assert "<" not in row.query and "\x00" not in row.query
        assert len(row.query) <= 200


def test_head_counts_nothing(client, live):
    """Link checkers send HEAD: answered, never counted."""
    assert client.head("/search/seen/?q=mucus").status_code == 200
    assert client.head(f"/search/go/?q=mucus&to={live.slug}").status_code == 302
    assert not DailyQuery.objects.exists()


def test_staff_searches_are_not_counted(client, editor):
    client.force_login(editor)
    seen(client, "anemia")
    assert not DailyQuery.objects.exists()


def test_nothing_identifying_is_stored(client, db):
    """A row holds the day, the query and counts: nothing else."""
    fields = {f.name for f in DailyQuery._meta.get_fields()}
    assert fields == {"id", "day", "query", "searches", "clicks", "found"}


def test_unmet_is_searches_without_a_click(db):
    """Found nothing, or found but not clicked: unmet; clicked: met."""
    today = datetime.date(2026, 6, 30)
    DailyQuery.objects.create(day=today, query="anemia", searches=5, found=False)
    DailyQuery.objects.create(day=today, query="mucus", searches=4, clicks=1)
    DailyQuery.objects.create(day=today, query="folic acid", searches=3, clicks=3)
    DailyQuery.objects.create(day=today, query="clicked twice", searches=1, clicks=2)
    rows = list(DailyQuery.objects.unmet(30, today))
    assert [(r["query"], r["unmet"], r["found_nothing"]) for r in rows] == [
        ("anemia", 5, 5),
        ("mucus", 3, 0),
    ]


def test_unmet_sums_the_last_30_days_only(db):
    today = datetime.date(2026, 6, 30)
    for days_ago in (0, 29, 30):
        DailyQuery.objects.create(
            day=today - datetime.timedelta(days=days_ago),
            query="anemia",
            searches=1,
            found=False,
        )
    assert DailyQuery.objects.unmet(30, today).get()["unmet"] == 2


def test_counts_are_per_day(client, db):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)):
        seen(client, "anemia")
    with time_machine.travel(datetime.datetime(2026, 6, 2, 12, tzinfo=datetime.UTC)):
        seen(client, "anemia")
    assert DailyQuery.objects.count() == 2


def test_the_dashboard_shows_what_readers_did_not_find(client, editor, db):
    DailyQuery.objects.create(
        day=datetime.date.today(), query="period pain", searches=7, found=False
    )
    client.force_login(editor)
    html = client.get(reverse(DASHBOARD)).text
    assert "What readers did not find" in html
    assert '<a href="/search/?q=period%20pain" rel="noreferrer">period pain</a>' in html
    assert "7 times unmet, 7 searches found nothing" in html


def test_writers_do_not_see_the_box(client, writer, db):
    client.force_login(writer)
    assert "What readers did not find" not in client.get(reverse(DASHBOARD)).text


def test_old_counts_expire(db):
    today = datetime.date(2026, 6, 30)
    DailyQuery.objects.create(day=today - datetime.timedelta(days=90), query="a")
    DailyQuery.objects.create(day=today - datetime.timedelta(days=89), query="b")
    assert [r.query for r in DailyQuery.objects.expired(today)] == ["a"]


def test_one_address_cannot_fill_the_unmet_list(client, db):
    """Past 30 counts in ten minutes an address's beacons count nothing; the
    pixel is still answered. Another address still counts."""
    for n in range(40):
        response = client.get(f"/search/seen/?q=spam{n}", REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 200
    assert DailyQuery.objects.count() == 30
    client.get("/search/seen/?q=real", REMOTE_ADDR="198.51.100.8")
    assert DailyQuery.objects.filter(query="real").exists()


def test_a_newline_in_the_query_makes_no_header(client, live):
    """A query is one line before it is counted, and the redirect goes to
    the article's own address, never one built from the query."""
    q = "mucus\r\nSet-Cookie: x=1"
    response = client.get("/search/go/", {"q": q, "to": live.slug})
    assert response["Location"] == live.get_absolute_url()
    assert not response.cookies
    seen(client, q)
    assert DailyQuery.objects.get().query == "mucus set cookie x 1"


def test_searching_works_while_redis_is_down(client, live, dead_redis, caplog):
    """The results page, suggestions and both counters answer; a search
    is counted in this process while the shared cache is unreachable."""
    assert client.get("/search/", {"q": "mucus"}).status_code == 200
    response = client.get("/search/suggest/", {"q": "mu"})
    assert response.status_code == 200
    seen(client, "mucus", found=True)
    assert client.get("/search/go/", {"q": "mucus", "to": live.slug}).status_code == 302
    row = DailyQuery.objects.get()
    assert (row.searches, row.clicks) == (1, 1)
    assert "the cache is unreachable" in caplog.text
