"""A small, polite HTTP client for the bibliographic services.

Standard library only. Every request has a timeout, is retried with backoff on
429, 5xx and connection errors (honouring Retry-After), names the site and a
contact address in its User-Agent, and successful answers are kept in Django's
cache, so looking the same identifier up twice asks the service once.
"""

import hashlib
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

# Answers larger than this are refused: a work record is tens of kilobytes.
MAX_BYTES = 5 * 1024 * 1024
# Never sleep longer than this for one Retry-After, whatever the server asks.
MAX_RETRY_AFTER = 10.0
DEFAULTS = {
    "CROSSREF_URL": "https://api.crossref.org/",
    "DOI_URL": "https://doi.org/",
    "EUTILS_URL": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/",
    "IDCONV_URL": "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0/",
    "OPENLIBRARY_URL": "https://openlibrary.org/",
    "TIMEOUT": 8.0,
    "RETRIES": 2,
    "BACKOFF": 0.5,
    "CACHE_SECONDS": 7 * 24 * 3600,
}


def config(name: str):
    """A lookup setting: settings.HEALTH_LOOKUP[name], else the default."""
    return {**DEFAULTS, **getattr(settings, "HEALTH_LOOKUP", {})}[name]


def contact() -> str:
    """The address the services may write to about our requests."""
    return getattr(settings, "HEALTH_LOOKUP_CONTACT", "") or settings.HEALTH_SITE.get(
        "CONTACT_EMAIL", ""
    )


def user_agent() -> str:
    name = settings.HEALTH_SITE.get("NAME", "Reviewed Health").replace(" ", "")
    return f"{name}-reference-lookup/1.0 (mailto:{contact()})"


class ServiceError(Exception):
    """The service could not answer: offline, too slow, or an error status."""


class NotFound(ServiceError):
    """The service answered that it has no such record."""


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = ""

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _cache_key(url: str, accept: str) -> str:
    digest = hashlib.sha256(f"{accept}\n{url}".encode()).hexdigest()
    return f"references.lookup:{digest}"


def build_url(base: str, path: str, params: dict | None = None) -> str:
    url = urllib.parse.urljoin(base if base.endswith("/") else base + "/", path)
    if params:
        url += "?" + urllib.parse.urlencode(params)
    return url


def _retry_after(error: urllib.error.HTTPError, attempt: int) -> float:
    header = error.headers.get("Retry-After", "") if error.headers else ""
    if header.strip().isdigit():
        return min(float(header.strip()), MAX_RETRY_AFTER)
    return config("BACKOFF") * (2**attempt)


def get(url: str, accept: str = "application/json", service: str = "") -> Response:
    """GET `url`, cached; raise NotFound on 404/410, ServiceError on failure."""
    key = _cache_key(url, accept)
    cached = cache.get(key)
    if cached is not None:
        return Response(*cached)
    service = service or urllib.parse.urlsplit(url).hostname or url
    request = urllib.request.Request(
        url, headers={"Accept": accept, "User-Agent": user_agent()}
    )
    retries = int(config("RETRIES"))
    for attempt in range(retries + 1):
        try:
            with urllib.request.urlopen(request, timeout=config("TIMEOUT")) as answer:
                body = answer.read(MAX_BYTES + 1)
                if len(body) > MAX_BYTES:
                    raise ServiceError(f"{service} sent an answer too large to use.")
                response = Response(
                    answer.status, body, answer.headers.get("Content-Type", "")
                )
        except urllib.error.HTTPError as error:
            if error.code in (404, 410):
                raise NotFound(f"{service} has no record of it.") from None
            if (error.code == 429 or error.code >= 500) and attempt < retries:
                time.sleep(_retry_after(error, attempt))
                continue
            raise ServiceError(
                f"{service} answered with an error ({error.code})."
            ) from None
        except OSError as error:  # URLError, timeouts, refused connections
            if attempt < retries:
                time.sleep(config("BACKOFF") * (2**attempt))
                continue
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise ServiceError(f"{service} did not answer in time.") from None
            raise ServiceError(
                f"{service} could not be reached (is the server offline?)."
            ) from None
        cache.set(
            key,
            (response.status, response.body, response.content_type),
            config("CACHE_SECONDS"),
        )
        return response
    raise ServiceError(f"{service} could not be reached.")  # pragma: no cover
