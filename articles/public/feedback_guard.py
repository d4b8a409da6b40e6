"""Guards for the readers' feedback form, which has no session to lean on: the
article page is one cached copy for everyone, with no cookie and no token.

- Origin: a browser sends `Origin` with a POST (else `Referer`); a post from
  another site's page, or with neither, is refused.
- Size: a body over MAX_BODY is refused before it is read.
- Rate: posts are counted per address, per day and per article. The address
  is never stored: the count's key is an HMAC of it with a salt that changes
  every day (derived from SECRET_KEY and the date), so yesterday's keys
  cannot be matched to today's, and nobody holding the cache can tell whose
  count it is without the secret key. Counts live in the default cache
  (Redis when configured); while it is down they go on in this process.
"""

import datetime
import hashlib
import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from articles.absolute_urls import base_url
from articles.reader_reports import setting
from articles.window_counts import client_address, increment, on_shared_cache

MAX_BODY = 16 * 1024


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def trusted_origins(request) -> set[str]:
    """The site's public origin, and the origin the request was made to (a
    host ALLOWED_HOSTS admits, e.g. http://localhost:8000 in development)."""
    origins = {_origin(base_url())}
    origins.add(f"{request.scheme}://{request.get_host()}".lower())
    return origins


def from_our_page(request) -> bool:
    """The post came from one of our pages, by its Origin or else its Referer."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return origin.lower() in trusted_origins(request)
    referer = request.META.get("HTTP_REFERER")
    if referer:
        return _origin(referer) in trusted_origins(request)
    return False


def too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_BODY


def _salt(day: datetime.date) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"feedback-salt:{day}".encode(), hashlib.sha256
    ).digest()


def address_key(request, day: datetime.date | None = None) -> str:
    """The request's address as today's salted HMAC: never the address."""
    day = day or timezone.localdate()
    address = client_address(request).encode()
    return hmac.new(_salt(day), address, hashlib.sha256).hexdigest()[:32]


def allowed(request, article_id: int, report: bool) -> bool:
    """Count this post; False when it takes a count over its limit. Reports
    also count against the article's hourly limit; answers to "Is this page
    useful?" (a number going up) do not, so a popular page keeps taking them."""
    day = timezone.localdate()
    who = address_key(request, day)
    counts = [
        (
            f"feedback:address:{who}",
            setting("ADDRESS_LIMIT"),
            setting("ADDRESS_WINDOW_SECONDS"),
        ),
        (f"feedback:day:{who}", setting("ADDRESS_DAY_LIMIT"), 24 * 60 * 60),
    ]
    if report:
        counts.append(
            (f"feedback:article:{article_id}", setting("ARTICLE_HOUR_LIMIT"), 3600)
        )

    def count(store) -> bool:
        return all(
            increment(store, key, window) <= limit for key, limit, window in counts
        )

    return on_shared_cache(count)
