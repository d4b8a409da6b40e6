"""Caching public pages, and purging exactly the pages a change affects.

Public views mark their responses with the surrogate keys ("tags") of what
they show: `article-12`, `topic-3`, `contributor-5`, `home`, `feeds`,
`sitemap`, `search`. Two caches keep them:

- the app's own page cache (`articles.public.middleware.PageCacheMiddleware`,
  in the `pages` cache: Redis when `REDIS_URL` is set, so every app server
  shares it), keyed by path; a purge deletes the paths a change affects;
- a reverse proxy or CDN (Varnish: deploy/varnish.vcl), which the responses'
  `Cache-Control: s-maxage` lets keep pages; a purge bans the tags there.

Purges run after the transaction commits: the app cache at once, the proxies
with one immediate attempt and, if a proxy does not answer, a retried task.
"""

import datetime
import http.client
import logging
import urllib.parse
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.cache import patch_cache_control

from articles import local_pages
from articles.models import Article, Contributor, Topic
from articles.workflow.pages import PageChange
from siteconf.background import retrying

logger = logging.getLogger(__name__)

KEY_PREFIX = "page:"
# List pages are cached up to this page number; deeper pages are rare.
MAX_CACHED_PAGE = 20
SITE_TAGS = ("home", "feeds", "sitemap", "search")
BAN_HEADER = "X-Ban-Tags"
GENERATION_KEY = "page-cache-generation"
# Longer than any request takes (gunicorn kills one at 30 s).
REPEAT_AFTER = datetime.timedelta(seconds=35)


def enabled() -> bool:
    return bool(getattr(settings, "HEALTH_PAGE_CACHE", False))


def store():
    return caches[settings.HEALTH_PAGE_CACHE_ALIAS]


def key(path: str, page: int | None = None) -> str:
    """The cache key of a page: its path, and its page number after the first."""
    if page and page > 1:
        return f"{KEY_PREFIX}{path}?page={page}"
    return f"{KEY_PREFIX}{path}"


def mark(response, tags: Iterable[str], s_maxage: int | None = None):
    """Make a public response cacheable by shared caches, naming what it shows.

    Browsers revalidate every time (a cheap 304 from the ETag); shared caches
    keep the page until a purge, serve it stale briefly while refetching, and
    for a day if the app is down.
    """
    tags = sorted(set(tags))
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.HEALTH_SHARED_MAX_AGE if s_maxage is None else s_maxage,
        stale_while_revalidate=30,
        stale_if_error=86400,
    )
    response["Surrogate-Key"] = " ".join(tags)
    response["Cache-Tag"] = ",".join(tags)
    response.page_cache_tags = tags
    return response


def tags_for(change: PageChange) -> set[str]:
    return (
        {f"article-{pk}" for pk in change.article_ids}
        | {f"topic-{pk}" for pk in change.topic_ids}
        | {f"contributor-{pk}" for pk in change.contributor_ids}
        | set(SITE_TAGS)
    )


def keys_for(change: PageChange) -> list[str]:
    """Every page-cache key a change makes stale."""
    keys = [key("/"), key("/feed/"), key("/feed/atom/"), key("/sitemap.xml")]
    for slug in Article.objects.filter(pk__in=change.article_ids).values_list(
        "slug", flat=True
    ):
        keys.append(key(f"/articles/{slug}/"))
    lists = [
        f"/topics/{slug}/"
        for slug in Topic.objects.filter(pk__in=change.topic_ids).values_list(
            "slug", flat=True
        )
    ] + [
        f"/contributors/{slug}/"
        for slug in Contributor.objects.filter(
            pk__in=change.contributor_ids
        ).values_list("slug", flat=True)
    ]
    for path in lists:
        keys += [key(path, page) for page in range(1, MAX_CACHED_PAGE + 1)]
    return keys


def generation() -> int | None:
    """The page cache's purge counter: a page rendered while it moved may show
    what was just purged, so it is not stored (None when the cache is down)."""
    try:
        return store().get(GENERATION_KEY, 0)
    except Exception:
        return None


def _bump_generation() -> None:
    cache = store()
    if not cache.add(GENERATION_KEY, 1, timeout=None):
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # evicted meanwhile
            cache.set(GENERATION_KEY, 1, timeout=None)


def purge(change: PageChange) -> None:
    """Purge the pages `change` affects, once the transaction commits.

    A request that read the old data before the commit can still finish after
    the purge and hand a proxy the old page; so the purge runs again a little
    later, as a task, when no such request is left.
    """
    keys, tags = keys_for(change), sorted(tags_for(change))
    transaction.on_commit(lambda: _purge_now(keys, tags, repeat=True))


def _purge_now(keys: list[str], tags: list[str], repeat: bool = False) -> None:
    try:
        _bump_generation()
        store().delete_many(keys)
        local_pages.publish(keys)
    except Exception:
        # The proxy purge below still runs; the entries expire on their own.
        logger.exception("Could not purge %s page(s) from the page cache.", len(keys))
    if repeat and purge_again.get_backend().supports_defer:
        try:
            purge_again.using(run_after=timezone.now() + REPEAT_AFTER).enqueue(
                keys, tags
            )
        except Exception:
            logger.exception("Could not queue the repeat purge.")
    for url in settings.HEALTH_PURGE_URLS:
        try:
            ban(url, tags)
        except OSError as error:
            logger.warning(
                "Purge of %s failed (%s); retrying in the background.", url, error
            )
            try:
                ban_later.enqueue(url, tags)
            except Exception:
                logger.exception("Could not queue the purge of %s.", url)


def ban(url: str, tags: list[str], timeout: float = 2.0) -> None:
    """Ask a Varnish-style proxy to drop every object carrying one of `tags`."""
    parts = urllib.parse.urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            "BAN", parts.path or "/", headers={BAN_HEADER: " ".join(tags)}
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status >= 300:
        raise OSError(f"{url} answered {response.status} {response.reason}")


@task
def purge_again(keys: list[str], tags: list[str]) -> None:
    """The same purge, once every request that began before it has finished."""
    _purge_now(keys, tags)


@retrying()
def ban_later(url: str, tags: list[str], attempt: int = 1) -> None:
    """Retry a proxy purge that failed, with backoff."""
    ban(url, tags)
