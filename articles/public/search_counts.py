"""Counting what readers did not find, per normalised query and per day, with
nothing that tells readers apart (docs/search.md).

The results page stays cacheable, by the app and by proxies, so it cannot
count itself. Two small answers that are never cached do:

- `seen`, the page's beacon: a 1×1 image on the first page of results, which
  browsers fetch each time the page is shown, from whichever cache. It counts
  one search, and whether it found anything.
- `follow`, each result's link: it counts a click on a result of the query,
  then redirects (302) to the article.

A query's unmet searches for a day are its searches less its clicks. Neither
answer sets a cookie or records an address; queries that look like personal
data are not counted at all (articles.search_words.looks_personal). Both are
under /search/, which robots.txt keeps crawlers out of.
"""

import base64
import re

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from articles.models import Article, DailyQuery
from articles.public import feedback_guard
from articles.public.search import clean_query
from articles.window_counts import increment, on_shared_cache

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
SLUG = re.compile(r"[-\w]{1,200}")
COUNTED_PER_ADDRESS = 30


def _never_cached(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def counts(request) -> bool:
    """Readers' GETs count; a HEAD (as link checkers send) and staff do not,
    nor one address's past COUNTED_PER_ADDRESS in ten minutes (so nobody can
    fill the editors' list of unmet queries; the address is counted under
    the feedback form's daily keyed hash, never stored)."""
    if request.method != "GET" or request.user.is_authenticated:
        return False
    who = feedback_guard.address_key(request)
    return on_shared_cache(
        lambda store: (
            increment(store, f"search-counts:{who}", 600) <= COUNTED_PER_ADDRESS
        )
    )


@require_safe
def seen(request):
    """Count one search for `q`, and answer with the pixel."""
    q = clean_query(request.GET.get("q", ""))
    if q and counts(request):
        DailyQuery.objects.count_search(q, found=request.GET.get("found") == "1")
    return _never_cached(HttpResponse(PIXEL, content_type="image/gif"))


@require_safe
def follow(request):
    """Count a click on a result of `q`, then go to the live article `to`."""
    slug = request.GET.get("to", "")
    article = (
        Article.objects.live().filter(slug=slug).only("slug").first()
        if SLUG.fullmatch(slug)
        else None
    )
    if article is None:
        raise Http404
    q = clean_query(request.GET.get("q", ""))
    if q and counts(request):
        DailyQuery.objects.count_click(q)
    return _never_cached(HttpResponseRedirect(article.get_absolute_url()))
