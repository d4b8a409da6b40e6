"""Each app process's own copies of pages, kept exact by purges announced over
Redis (articles/delivery/local_pages.py). Runs against a real Redis server."""

import json
import time

import pytest
import redis
from django.core.cache import caches

from articles.delivery import local_pages, page_cache
from tests.conftest import needs_redis

REDIS = "redis://127.0.0.1:6379/13"


pytestmark = needs_redis


@pytest.fixture
def redis_pages(settings):
    """The page cache on Redis, with this process's listener (re)started."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "siteconf.cache.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": "test-local-pages",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        },
    }
    settings.HEALTH_PAGE_CACHE = True
    caches["pages"].clear()
    local_pages._started_in = None
    copies = local_pages.local()
    deadline = time.monotonic() + 5
    while not copies.listening and time.monotonic() < deadline:
        time.sleep(0.01)
    assert copies.listening
    yield copies
    caches["pages"].clear()
    local_pages._local.evict(None)


def wait_until(condition, seconds=2.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    return condition()


def test_a_page_read_from_redis_is_kept_in_the_process(
    client, live_article, redis_pages
):
    """Miss, then a read from Redis, then a copy served from memory."""
    url = live_article.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"  # from Redis, now copied
    assert redis_pages.get(page_cache.key(url)) is not None
    # Gone from Redis without a purge (which never happens): memory still serves.
    caches["pages"].delete(page_cache.key(url))
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_purge_from_another_server_evicts_the_copy(client, live_article, redis_pages):
    """A purge published by another process reaches this one's copies."""
    url = live_article.get_absolute_url()
    client.get(url)
    client.get(url)
    key = page_cache.key(url)
    assert redis_pages.get(key) is not None
    other_server = redis.Redis.from_url(REDIS)
    caches["pages"].delete(key)
    other_server.publish(local_pages.channel(), json.dumps([key]))
    assert wait_until(lambda: redis_pages.get(key) is None)
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_a_read_overtaken_by_a_purge_is_not_kept(redis_pages):
    """A page read from Redis while a purge arrived is not copied."""
    generation = redis_pages.generation
    redis_pages.evict(["page:/x/"])
    redis_pages.put("page:/x/", b"old", generation)
    assert redis_pages.get("page:/x/") is None


def test_copies_are_not_used_while_the_channel_is_unheard(redis_pages):
    """Without the subscription, nothing kept in memory is trusted."""
    redis_pages.put("page:/y/", b"page", redis_pages.generation)
    redis_pages.set_listening(False)
    try:
        assert redis_pages.get("page:/y/") is None
    finally:
        redis_pages.set_listening(True)
