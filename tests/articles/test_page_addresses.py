"""Every address of a page is the page: one cache entry each, so a purge
reaches them all. Query strings no page reads are redirected away, tracking
parameters are ignored, and ?page=N counts only on lists."""

import pytest

from articles.delivery import page_cache
from tests.conftest import create_article

# What a reader, a crawler or a hostile client may put after an article's
# address. None of it changes the page.
VARIANTS = [
    "",
    "?page=2",
    "?page=20",
    "?page=1",
    "?utm_source=newsletter&utm_medium=email",
    "?fbclid=IwAR0abc",
    "?gclid=x&page=2",
    "?page=2&utm_campaign=spring",
    "?q=anything",
    "?a=1&b=2",
    "?page",
    "?%00=%0d%0a",
    "?" + "&".join(f"k{n}=v" for n in range(50)),
]


@pytest.fixture
def live(live_in_topic):
    return live_in_topic


def entries() -> int:
    """How many entries the page cache holds now."""
    cache = page_cache.store()
    if hasattr(cache, "_list_cache_files"):
        return len(cache._list_cache_files())
    client = cache._cache.get_client()
    return sum(1 for _ in client.scan_iter(match=cache.make_key("*")))


def read(client, url: str):
    """The page at `url`, following at most one redirect to its address."""
    response = client.get(url)
    if response.status_code == 301:
        location = response["Location"]
        assert location.startswith(url.split("?")[0]), location
        response = client.get(location)
    return response


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_address_of_an_article_stops_showing_it_at_withdrawal(
    client, live, editor, commit, variant
):
    """Before: ?page=2 was kept as an entry of its own, and kept serving the
    withdrawn article for a week. Now every address answers 410 at once."""
    url = live.get_absolute_url() + variant
    for _ in range(2):
        assert read(client, url).status_code == 200
    with commit():
        live.unpublish(by=editor, reason="Superseded.")
    response = read(client, url)
    assert response.status_code == 410
    assert "Mucus changes" not in response.content.decode()


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_address_of_an_article_shows_its_update_at_once(
    client, live, writer, reviewer, editor, commit, variant
):
    """After an update, no address serves the old version."""
    url = live.get_absolute_url() + variant
    for _ in range(2):
        read(client, url)
    live.title = "Cervical mucus, reviewed again"
    live.save()
    live.save_revision(by=writer, change_class="update")
    live.submit_for_review(by=writer)
    live.approve(by=reviewer, change_class="update")
    with commit():
        live.publish(by=editor)
    assert "Cervical mucus, reviewed again" in read(client, url).content.decode()


def test_an_article_has_one_entry_whatever_its_addresses(client, live):
    """Before: 20 page numbers made 20 entries per article. Now the variants
    add none: they are the canonical entry, or redirected, never stored."""
    client.get(live.get_absolute_url())
    before = entries()
    for variant in VARIANTS + [f"?page={n}" for n in range(2, 40)]:
        client.get(live.get_absolute_url() + variant)
    assert entries() == before


def test_query_strings_no_page_reads_are_redirected_to_its_address(client, live):
    """A permanent redirect, keeping the tracking parameters for analytics;
    shared caches are told not to keep it."""
    response = client.get(live.get_absolute_url() + "?page=2&utm_source=x")
    assert response.status_code == 301
    assert response["Location"] == live.get_absolute_url() + "?utm_source=x"
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
    response = client.get("/?x=1")
    assert response.status_code == 301 and response["Location"] == "/"


def test_tracking_parameters_are_served_from_the_one_entry(client, live):
    """?utm_source=… is a hit on the page's own entry."""
    assert client.get(live.get_absolute_url())["X-Page-Cache"] == "miss"
    response = client.get(live.get_absolute_url() + "?utm_source=x&fbclid=1")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"


def test_lists_keep_their_pages_and_nothing_else(
    client, live, topic, writer, reviewer, editor, commit
):
    """?page=N is a page of a list when that page exists; ?page=1 is the list
    itself; a page that does not exist is 404 and never stored."""
    for number in range(11):
        other = create_article(writer, slug=f"list-{number}", title=f"List {number}")
        other.topics.add(topic)
        other.save_revision(by=writer, change_class="update")
        other.submit_for_review(by=writer)
        other.approve(by=reviewer, change_class="update")
        with commit():
            other.publish(by=editor)
    url = f"/topics/{topic.slug}/"
    assert client.get(url + "?page=2")["X-Page-Cache"] == "miss"
    assert client.get(url + "?page=2&utm_source=x")["X-Page-Cache"] == "hit"
    assert client.get(url + "?page=1")["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    before = entries()
    assert client.get(url + "?page=3").status_code == 404
    assert client.get(url + "?page=19").status_code == 404
    assert client.get(url + "?page=20000").status_code == 404
    assert entries() == before
    for junk in ["?page=abc", "?page=0", "?page=02", "?page=2&page=3", "?sort=new"]:
        response = client.get(url + junk)
        assert response.status_code == 301, junk
        assert response["Location"] == url, junk


def test_a_list_page_past_the_cached_ones_is_answered_not_stored(client, live, topic):
    """Pages past MAX_CACHED_PAGE are rare: rendered each time (404 here)."""
    url = f"/topics/{topic.slug}/?page={page_cache.MAX_CACHED_PAGE + 1}"
    assert page_cache.address(url.split("?")[0], url.split("?")[1]).key is None
    assert "X-Page-Cache" not in client.get(url)


def test_every_cached_list_page_is_purged(live, topic):
    """The purge names every page the cache may keep for a list."""
    change = page_cache.PageChange(topic_ids={topic.pk})
    keys = page_cache.keys_for(change)
    for number in range(2, page_cache.MAX_CACHED_PAGE + 1):
        assert page_cache.key(f"/topics/{topic.slug}/", number) in keys


def test_the_sitemap_keeps_its_pages_apart(client, live):
    """Django's sitemap pages (?p=2) are answered, never kept."""
    assert page_cache.address("/sitemap.xml", "p=2").key is None
    assert page_cache.address("/sitemap.xml", "p=1").key == page_cache.key(
        "/sitemap.xml"
    )
    assert client.get("/sitemap.xml?x=1").status_code == 301


def test_a_site_moved_to_another_address_never_reads_old_pages(client, live, settings):
    """Pages name the base URL (canonical, feeds, robots.txt): the cache keys
    carry it, so pages cached for the old address are never served at the
    new one, live articles or not."""
    client.get("/robots.txt")
    assert client.get("/robots.txt")["X-Page-Cache"] == "hit"
    settings.HEALTH_SITE = {**settings.HEALTH_SITE, "BASE_URL": "https://moved.example"}
    response = client.get("/robots.txt")
    assert response["X-Page-Cache"] == "miss"
    assert b"https://moved.example/sitemap.xml" in response.content


def test_every_purge_reaches_robots_and_the_policy(live):
    """Both pages name things a change can move (the base URL, topics)."""
    keys = page_cache.keys_for(page_cache.PageChange(article_ids={live.pk}))
    assert page_cache.key("/robots.txt") in keys
    assert page_cache.key("/editorial-policy/") in keys
