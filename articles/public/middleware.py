"""The page cache's front door: anonymous public pages answered from the cache.

It sits near the top of the middleware stack, so a hit costs one cache read
and no session, CSRF, auth or CSP-nonce work, and no SQL. Only what public
views mark cacheable (`articles.delivery.page_cache.mark`) is stored, and only for
requests without a session cookie; staff, previews and share links never
come near it. See articles/delivery/page_cache.py for keys and purges.
"""

import contextlib
import pickle

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import get_conditional_response, patch_cache_control

from articles.delivery import local_pages, page_cache

MAX_BODY = 2 * 1024 * 1024


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        place = None
        if request.method in {"GET", "HEAD"}:
            query = request.META.get("QUERY_STRING", "")
            place = page_cache.address(request.path_info, query)
            if place is not None and place.redirect_query is not None:
                return self.redirect(request, place.redirect_query)
        cache_key = self.key_for(request, place)
        # A view may count asks of what it answers (page_cache.asked_again).
        request.page_cache_key = cache_key
        if cache_key is not None:
            cached = self.read(cache_key)
            if cached is not None:
                return self.replay(request, pickle.loads(cached))
            generation = page_cache.generation()
        response = self.get_response(request)
        if cache_key is not None:
            response["X-Page-Cache"] = "miss"
            if (
                request.method == "GET"
                and self.storable(response)
                and generation is not None
                and page_cache.generation() == generation
            ):
                self.write(cache_key, response)
        return response

    def key_for(self, request, place: page_cache.Address | None) -> str | None:
        """The key to look up, or None when this request must bypass the cache."""
        if not page_cache.enabled() or place is None or place.key is None:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # staff, or anyone with a session: never a shared page
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        request.get_host()  # refuses a Host that is not allowed, as usual
        return place.key

    @staticmethod
    def redirect(request, query: str) -> HttpResponse:
        """To the page's one address: what no page reads is left behind."""
        request.get_host()
        response = HttpResponsePermanentRedirect(
            request.path + (f"?{query}" if query else "")
        )
        # Browsers may remember it; shared caches need not keep one per URL.
        patch_cache_control(response, private=True, max_age=3600)
        return response

    def read(self, cache_key: str) -> bytes | None:
        """The pickled response: this process's copy, else the shared cache's."""
        copies = local_pages.local()
        if copies is not None and (data := copies.get(cache_key)) is not None:
            return data
        generation = copies.generation if copies is not None else 0
        try:
            data = page_cache.store().get(cache_key)
        except Exception:
            return None  # a cache that is down is a miss, never an error
        if not isinstance(data, bytes):
            return None
        if copies is not None:
            copies.put(cache_key, data, generation)
        return data

    def write(self, cache_key: str, response) -> None:
        # The response itself is stored, pickled, as Django's cache middleware
        # does: unpickling it is cheaper than building a new one from parts.
        del response["X-Page-Cache"]
        data = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
        response["X-Page-Cache"] = "miss"
        with contextlib.suppress(Exception):  # not caching is always safe
            page_cache.store().set(cache_key, data)

    @staticmethod
    def storable(response) -> bool:
        if getattr(response, "page_cache_tags", None) is None:
            return False  # only what a public view marked cacheable
        if not getattr(response, "page_cache_keep", True):
            return False  # e.g. a search asked only once so far
        if response.streaming or response.status_code not in {200, 410}:
            return False
        if response.cookies or "Cookie" in response.get("Vary", ""):
            return False
        if "nonce-" in response.get("Content-Security-Policy", ""):
            return False  # a nonce must never be shared between responses
        return len(response.content) <= MAX_BODY

    @staticmethod
    def replay(request, response) -> HttpResponse:
        response["X-Page-Cache"] = "hit"
        if request.method == "HEAD":
            response.content = b""
        elif response.status_code == 200:
            not_modified = get_conditional_response(
                request, etag=response.get("ETag"), response=response
            )
            if not_modified is not None:
                return not_modified
        return response
