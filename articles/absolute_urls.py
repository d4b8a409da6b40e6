"""The one source of absolute URLs: canonical links, feeds, sitemaps, JSON-LD,
robots.txt and emails all build them from `HEALTH_SITE["BASE_URL"]`, never from
the request's Host header (which a client controls)."""

from django.conf import settings
from django.core.files.storage import default_storage


def base_url() -> str:
    """The site's public origin, e.g. https://health.example.org (no slash)."""
    return settings.HEALTH_SITE["BASE_URL"].rstrip("/")


def absolute(path: str) -> str:
    """`path` (starting with /) as an absolute URL on the public site."""
    return base_url() + path


def absolute_media(name: str) -> str:
    """The public URL of a stored file (object storage may already give one)."""
    url = default_storage.url(name)
    return url if url.startswith(("https://", "http://")) else absolute(url)
