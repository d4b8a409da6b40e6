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
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.cache import patch_cache_control

from articles.absolute_urls import base_url
from articles.delivery import local_pages
from articles.delivery.changes import PageChange
from articles.models import Article, Contributor, Topic
from siteconf.background import retrying

logger = logging.getLogger(__name__)

KEY_PREFIX = "page:"
# List pages are cached up to this page number; deeper pages are rare.
MAX_CACHED_PAGE = 20
# The pages the cache keeps, by path. deploy/varnish.vcl knows the same list.
CACHED_PATHS = re.compile(
    r"^/(?:$|articles/[-\w]+/$|topics/[-\w]+/$|contributors/[-\w]+/$"
    r"|editorial-policy/$|corrections/$|corrections/feed/$|feed/$|feed/atom/$"
    r"|sitemap\.xml$|robots\.txt$)"
)
# The only pages that take a query string: lists, as ?page=2 and on.
PAGED_PATHS = re.compile(r"^/(?:(?:topics|contributors)/[-\w]+/|corrections/)$")
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,4}")
# Where a reader came from, for analytics in their browser; no page reads
# them, so they are left out of the key (and Varnish drops them).
TRACKING_PARAMETER = re.compile(
    r"utm_[a-z0-9_]*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid"
    r"|_ga|_gl|igshid|yclid|twclid|ttclid|srsltid",
    re.IGNORECASE,
)
MAX_PARAMETERS = 20
# Search suggestions (articles/public/suggest.py) are kept per query, and so
# are the results of a query asked more than once within ASKED_WINDOW.
SUGGESTIONS_PATH = "/search/suggest/"
MAX_SUGGESTION_QUERY = 100
SEARCH_PATH = "/search/"
MAX_SEARCH_QUERY = 200
ASKED_WINDOW = 60 * 60
# Pages every change may touch. robots.txt and the editorial policy change
# only with the base URL or the topics, rarely enough to purge them always;
# the corrections list names live articles' titles, and loses a withdrawn
# article's corrections.
SITE_TAGS = ("home", "feeds", "sitemap", "search", "robots", "corrections")
BAN_HEADER = "X-Ban-Tags"
SECRET_HEADER = "X-Purge-Secret"
GENERATION_KEY = "page-cache-generation"
# Longer than any request takes (gunicorn kills one at 30 s).
REPEAT_AFTER = datetime.timedelta(seconds=35)


def enabled() -> bool:
    return bool(getattr(settings, "HEALTH_PAGE_CACHE", False))


def store():
    return caches[settings.HEALTH_PAGE_CACHE_ALIAS]


def key(path: str, page: int | None = None) -> str:
    """The cache key of a page: the site's base URL (pages name it, so a site
    moved to another address never reads a page made for the old one), its
    path, and its page number after the first."""
    if page and page > 1:
        return f"{KEY_PREFIX}{base_url()}{path}?page={page}"
    return f"{KEY_PREFIX}{base_url()}{path}"


@dataclass(frozen=True)
class Address:
    """How the page cache treats a request for a page it keeps: the key the
    page is kept under (None: answer it, never keep it), or, when the request
    is not at the page's one address, the query string to redirect it to."""

    key: str | None = None
    redirect_query: str | None = None


def address(path: str, query: str) -> Address | None:
    """Where the page at `path` with `query` lives in the cache; None for paths
    the cache never keeps.

    Each page has one entry, so a purge of its key reaches every address it
    answers at. Tracking parameters are ignored; `?page=N` counts on lists
    only (pages past MAX_CACHED_PAGE are answered but not kept); any other
    parameter gets a permanent redirect to the address without it, so no
    client can mint entries that a purge would not know of.
    """
    if path == SUGGESTIONS_PATH:
        return suggestions_address(query)
    if path == SEARCH_PATH and query:
        return search_address(query)
    if not CACHED_PATHS.match(path):
        return None
    if not query:
        return Address(key(path))
    try:
        parameters = urllib.parse.parse_qsl(
            query, keep_blank_values=True, max_num_fields=MAX_PARAMETERS
        )
    except ValueError:  # more parameters than any address of ours has
        return Address(redirect_query="")
    tracking = [p for p in parameters if TRACKING_PARAMETER.fullmatch(p[0])]
    kept = [p for p in parameters if not TRACKING_PARAMETER.fullmatch(p[0])]
    if not kept:
        return Address(key(path))
    if len(kept) == 1 and PAGE_NUMBER.fullmatch(kept[0][1]):
        name, number = kept[0][0], int(kept[0][1])
        if name == "page" and PAGED_PATHS.match(path):
            return Address(key(path, number) if number <= MAX_CACHED_PAGE else None)
        if name == "p" and path == "/sitemap.xml":  # Django's sitemap pages
            return Address(key(path) if number == 1 else None)
    return Address(redirect_query=urllib.parse.urlencode(tracking))


def _kept_parameters(query: str) -> dict[str, str] | None:
    """The query string's parameters but tracking ones; None when it repeats
    one or has more than any address of ours."""
    try:
        parameters = urllib.parse.parse_qsl(
            query, keep_blank_values=True, max_num_fields=MAX_PARAMETERS
        )
    except ValueError:
        return None
    kept = [p for p in parameters if not TRACKING_PARAMETER.fullmatch(p[0])]
    names = [name for name, _value in kept]
    return dict(kept) if len(set(names)) == len(names) else None


def _per_query(path: str, q: str, page: int = 1) -> Address:
    """A key per query under the purge generation: no purge can name every
    query ever typed, so each one moves them all to new keys (the old ones go
    unread, and expire). Answered, never kept, while the cache is down."""
    current = generation() if enabled() else None
    if current is None:
        return Address()
    parts = f"q={urllib.parse.quote(q)}" + (f"&page={page}" if page > 1 else "")
    return Address(f"{key(path)}?{parts}&generation={current}")


def suggestions_address(query: str) -> Address:
    """Suggestions are kept per `?q=`. A request with anything but `q`
    (tracking parameters aside) is answered, never kept."""
    kept = _kept_parameters(query)
    if kept is None or set(kept) != {"q"} or len(kept["q"]) > MAX_SUGGESTION_QUERY:
        return Address()
    return _per_query(SUGGESTIONS_PATH, kept["q"])


def search_address(query: str) -> Address:
    """Search results are kept per `?q=` (and `&page=` up to MAX_CACHED_PAGE),
    but only once the query is asked again (`asked_again`, which the search
    view calls): a query typed once does not push articles out of the cache."""
    kept = _kept_parameters(query)
    if kept is None or not set(kept) <= {"q", "page"} or "q" not in kept:
        return Address()
    page = kept.get("page", "1")
    if len(kept["q"]) > MAX_SEARCH_QUERY or not PAGE_NUMBER.fullmatch(page):
        return Address()
    if int(page) > MAX_CACHED_PAGE:
        return Address()
    return _per_query(SEARCH_PATH, kept["q"], int(page))


def asked_again(cache_key: str | None) -> bool:
    """Count an ask of the page kept under `cache_key` (a miss: hits never
    reach the view); True from its second ask within ASKED_WINDOW, when it is
    worth keeping. False while the cache is down."""
    if not cache_key:
        return False
    counter = f"asked:{cache_key}"
    try:
        if store().add(counter, 1, timeout=ASKED_WINDOW):
            return False
        return store().incr(counter) >= 2
    except Exception:
        return False


def keep_only_if_asked_again(request, response):
    """Leave `response` out of this server's page cache unless its query was
    asked before (shared caches keep it by its Cache-Control as usual)."""
    if not asked_again(getattr(request, "page_cache_key", None)):
        response.page_cache_keep = False
    return response


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
    keys = [
        key(path)
        for path in (
            "/",
            "/feed/",
            "/feed/atom/",
            "/sitemap.xml",
            "/robots.txt",
            "/editorial-policy/",
            "/corrections/feed/",
        )
    ]
    keys += [key("/corrections/", page) for page in range(1, MAX_CACHED_PAGE + 1)]
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
            "BAN",
            parts.path or "/",
            headers={
                BAN_HEADER: " ".join(tags),
                SECRET_HEADER: settings.HEALTH_PURGE_SECRET,
            },
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
