"""Prepared pages name the site's base URL, and only it: a site served from
another address (HEALTH_SITE_BASE_URL) prepares them again, and the page cache
drops the copies that name the old one."""

import pytest
from django.core.management import call_command

from articles.delivery.prepared import prepare_unprepared_pages
from articles.models import Article
from tests.conftest import publish
from tests.page_urls import page_urls

OLD = "http://127.0.0.1:8000"
NEW = "https://health.example.net"


@pytest.fixture
def base_url(settings):
    """Serve the site from `url` from now on."""

    def serve_from(url: str) -> None:
        settings.HEALTH_SITE = {**settings.HEALTH_SITE, "BASE_URL": url}

    return serve_from


@pytest.fixture
def live(article, topic, writer, reviewer, editor, base_url, commit):
    """A live article, published while the site was at OLD."""
    base_url(OLD)
    article.topics.add(topic)
    article.save_revision(by=writer)
    with commit():
        return publish(article, writer, reviewer, editor)


def assert_on(base: str, html: str) -> None:
    urls = page_urls(html)
    assert len(urls) > 10
    assert all(url.startswith(f"{base}/") for url in urls), urls


def test_every_absolute_url_of_an_article_page_names_the_base_url(client, live):
    """Canonical, og:url, og:image and the JSON-LD's ids, urls and items."""
    html = client.get(live.get_absolute_url()).text
    assert_on(OLD, html)


def test_a_new_base_url_prepares_the_pages_again(client, live, base_url):
    """Served from NEW, the page prepared at OLD is prepared again (as
    `migrate` does after every deploy), and names only NEW."""
    base_url(NEW)
    assert prepare_unprepared_pages() == 1
    html = client.get(live.get_absolute_url()).text
    assert OLD not in html
    assert_on(NEW, html)
    assert Article.objects.get(pk=live.pk).live_card["base_url"] == NEW


def test_pages_on_the_base_url_are_left_alone(live, base_url):
    """Nothing to do when every page names the site's base URL."""
    assert prepare_unprepared_pages() == 0
    base_url(NEW)
    assert prepare_unprepared_pages() == 1
    assert prepare_unprepared_pages() == 0


def test_pages_prepared_before_the_base_url_was_kept_are_prepared(live):
    """A page prepared before this check (no base URL recorded) is redone."""
    card = {**live.live_card}
    del card["base_url"]
    Article.objects.filter(pk=live.pk).update(live_card=card)
    assert prepare_unprepared_pages() == 1


def test_the_page_cache_drops_copies_naming_the_old_base_url(
    client, live, base_url, commit, topic
):
    """The article, home and topic pages cached at OLD are purged: the next
    request renders them at NEW."""
    pages = [live.get_absolute_url(), "/", f"/topics/{topic.slug}/"]
    for url in pages:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    base_url(NEW)
    with commit():
        prepare_unprepared_pages()
    for url in pages:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert OLD not in response.text, url
    assert_on(NEW, client.get(live.get_absolute_url()).text)


def test_migrate_prepares_pages_for_the_base_url_served(client, live, base_url):
    """`migrate`, which `make serve` and every deploy run, does it."""
    base_url(NEW)
    call_command("migrate", verbosity=0)
    assert_on(NEW, client.get(live.get_absolute_url()).text)
