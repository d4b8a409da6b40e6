"""The page cache: fast for anonymous readers, never shared beyond them, and
purged at once when what a page shows changes."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from articles.delivery import page_cache
from articles.models import Article, PreviewLink, Topic
from tests.conftest import create_article


@pytest.fixture
def live(live_in_topic):
    return live_in_topic


def update(article, writer, reviewer, editor, commit, **fields):
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    article.save_revision(by=writer, change_class="update")
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, change_class="update")
    with commit():
        article.publish(by=editor)


def test_a_repeat_visit_is_served_from_the_cache_with_no_query(
    client, live, django_assert_num_queries
):
    """The second anonymous request is a hit that runs no SQL at all."""
    first = client.get(live.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(live.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


@pytest.mark.parametrize(
    "url", ["/", "/articles/cervical-mucus/", "/topics/fertility/", "/feed/"]
)
def test_public_pages_speak_to_shared_caches(client, live, url):
    """s-maxage, stale-while-revalidate, stale-if-error and surrogate keys;
    no cookie and no Vary for anonymous readers."""
    response = client.get(url)
    control = response["Cache-Control"]
    for part in ("public", "max-age=0", "s-maxage=", "stale-while-revalidate=30"):
        assert part in control
    assert "stale-if-error=86400" in control
    assert response["Surrogate-Key"]
    assert response["Cache-Tag"] == response["Surrogate-Key"].replace(" ", ",")
    assert not response.cookies
    assert "Vary" not in response


def test_article_page_names_what_it_shows(client, live, topic):
    """The article page's keys name the article; its topic page's keys the topic."""
    tags = client.get(live.get_absolute_url())["Surrogate-Key"].split()
    assert f"article-{live.pk}" in tags
    assert f"topic-{topic.pk}" in client.get("/topics/fertility/")["Surrogate-Key"]


def test_an_update_is_visible_at_once(client, live, writer, reviewer, editor, commit):
    """Publishing an update purges the article, home, topic and feeds."""
    for url in ["/", live.get_absolute_url(), "/topics/fertility/", "/feed/"]:
        client.get(url)
    update(live, writer, reviewer, editor, commit, title="A new title for readers")
    for url in ["/", live.get_absolute_url(), "/topics/fertility/", "/feed/"]:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert "A new title for readers" in response.content.decode(), url


def test_a_withdrawal_is_visible_at_once(client, live, editor, commit):
    """A withdrawn article answers 410 at once, and leaves the lists."""
    client.get(live.get_absolute_url())
    client.get("/topics/fertility/")
    with commit():
        live.unpublish(by=editor, reason="Superseded.")
    assert client.get(live.get_absolute_url()).status_code == 410
    assert (
        live.get_absolute_url() not in client.get("/topics/fertility/").content.decode()
    )


def test_renaming_a_topic_purges_its_page_and_home(client, live, topic, commit):
    """Topic and contributor edits purge the pages that show them."""
    client.get("/topics/fertility/")
    client.get("/")
    with commit():
        Topic.objects.get(pk=topic.pk).__class__.objects.filter(pk=topic.pk)
        topic.name = "Fertility and conception"
        topic.save()
    assert (
        "Fertility and conception" in client.get("/topics/fertility/").content.decode()
    )
    assert "Fertility and conception" in client.get("/").content.decode()


def test_related_articles_follow_a_related_update(
    client, live, topic, writer, reviewer, editor, reference, commit
):
    """An article listing another as related shows its new title at once."""
    other = create_article(writer, slug="second", title="Second article")
    other.topics.add(topic)
    other.save_revision(by=writer, change_class="update")
    other.submit_for_review(by=writer)
    other.approve(by=reviewer, change_class="update")
    with commit():
        other.publish(by=editor)
    assert "Cervical mucus" in client.get("/articles/second/").content.decode()
    etag = client.get("/articles/second/")["ETag"]
    update(live, writer, reviewer, editor, commit, title="Renamed related article")
    response = client.get("/articles/second/")
    assert "Renamed related article" in response.content.decode()
    assert response["ETag"] != etag


def test_staff_with_a_session_bypass_the_cache(client, live, editor):
    """Anyone with a session cookie never gets, nor fills, a shared page."""
    client.force_login(editor)
    response = client.get(live.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert caches["pages"].get(page_cache.key(live.get_absolute_url())) is None


def test_a_page_is_never_stored_with_a_cookie(client, live, settings):
    """A response setting a cookie is never stored for others."""
    from articles.public.middleware import PageCacheMiddleware

    response = client.get(live.get_absolute_url())
    response.set_cookie("tracking", "x")
    assert not PageCacheMiddleware.storable(response)


def test_previews_and_share_links_are_never_cached(client, live, editor):
    """A preview link answers no-store, every time, outside the page cache."""
    link = PreviewLink.objects.create(
        revision=live.current_revision,
        created_by=editor,
        expires_at=live.last_published_at.replace(year=2100),
    )
    for _ in range(2):
        response = client.get(link.get_absolute_url())
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert "X-Page-Cache" not in response


def test_admin_pages_are_never_cached(client):
    """The login page (anonymous) is not a cacheable public page."""
    response = client.get(reverse("admin:login"))
    assert "X-Page-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_head_and_revalidation_are_answered_from_the_cache(client, live):
    """HEAD gets headers only; If-None-Match gets a 304 that carries the ETag."""
    etag = client.get(live.get_absolute_url())["ETag"]
    head = client.head(live.get_absolute_url())
    assert head.status_code == 200 and head.content == b""
    assert head["X-Page-Cache"] == "hit"
    not_modified = client.get(live.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag


def test_revalidation_without_the_cache_reads_one_query(
    client, live, settings, django_assert_num_queries
):
    """With the page cache off, a 304 costs one query of the ETag's columns."""
    settings.HEALTH_PAGE_CACHE = False
    etag = client.get(live.get_absolute_url())["ETag"]
    with django_assert_num_queries(1):
        response = client.get(live.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag


@pytest.mark.parametrize(
    "url, limit",
    [
        ("/", 3),
        ("/articles/cervical-mucus/", 3),
        ("/topics/fertility/", 3),
        ("/contributors/writer/", 3),
        ("/feed/", 2),
        ("/sitemap.xml", 5),
    ],
)
def test_cold_pages_run_few_queries(
    client, live, settings, django_assert_max_num_queries, url, limit
):
    """Uncached, each page runs a fixed, small number of queries."""
    settings.HEALTH_PAGE_CACHE = False
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_a_dead_page_cache_is_a_miss_not_an_error(client, live, settings):
    """With the page cache's Redis down, pages are still served."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        },
    }
    assert client.get(live.get_absolute_url()).status_code == 200
    assert client.get(live.get_absolute_url()).status_code == 200


def test_a_disallowed_host_is_refused_even_when_cached(client, live):
    """The cache does not skip Host validation."""
    client.get(live.get_absolute_url())
    assert (
        client.get(live.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400
    )


def test_every_public_page_answers_head(client, live):
    """HEAD works where GET does (uptime monitors and link checkers use it)."""
    for url in [
        "/",
        live.get_absolute_url(),
        "/topics/fertility/",
        "/search/?q=mucus",
        "/editorial-policy/",
        "/robots.txt",
        "/feed/",
        "/sitemap.xml",
    ]:
        assert client.head(url).status_code == 200, url


def test_live_listings_follow_publication(live, editor, commit):
    """Listings are written on publish and removed on withdrawal."""
    assert live.listings.exists()
    with commit():
        live.unpublish(by=editor, reason="Gone.")
    assert not Article.objects.get(pk=live.pk).listings.exists()


def test_a_page_rendered_across_a_purge_is_not_stored(rf, live):
    """A request that read the old data before a commit must not store what
    it rendered if a purge happened meanwhile."""
    from articles.delivery import page_cache
    from articles.public.middleware import PageCacheMiddleware
    from articles.public.views import article_detail

    def render_while_publishing(request):
        response = article_detail(request, slug=live.slug)
        page_cache._purge_now([page_cache.key(live.get_absolute_url())], ["home"])
        return response

    middleware = PageCacheMiddleware(render_while_publishing)
    response = middleware(rf.get(live.get_absolute_url()))
    assert response.status_code == 200
    assert page_cache.store().get(page_cache.key(live.get_absolute_url())) is None


def test_every_purge_is_repeated_later_for_late_requests(live, editor, commit):
    """The purge runs again as a deferred task, for requests that were under
    way when the transaction committed (and for the proxies)."""
    from django_tasks_db.models import DBTaskResult

    with commit():
        live.unpublish(by=editor, reason="Gone.")
    repeat = (
        DBTaskResult.objects.filter(
            task_path="articles.delivery.page_cache.purge_again"
        )
        .order_by("-enqueued_at")
        .first()
    )
    assert repeat.run_after > live.withdrawn_at
    assert page_cache.key(live.get_absolute_url()) in repeat.args_kwargs["args"][0]


def test_live_pages_published_before_preparation_are_prepared_after_migrate(live):
    """An upgrade: pages live before prepared pages existed get them after migrate."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    Article.objects.filter(pk=live.pk).update(live_etag="", live_html="")
    post_migrate.send(
        sender=apps.get_app_config("articles"),
        app_config=apps.get_app_config("articles"),
        verbosity=0,
        interactive=False,
        using="default",
        apps=apps,
        plan=[],
    )
    live.refresh_from_db()
    assert live.live_etag and live.title in live.live_html


def test_page_cache_entries_live_a_day_at_most(settings):
    """Purges are exact; the time to live is a backstop, not a week."""
    assert 0 < caches["pages"].default_timeout <= 24 * 3600
    assert settings.HEALTH_PAGE_CACHE_SECONDS <= 24 * 3600
