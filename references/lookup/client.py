"""A small, polite HTTP client for the bibliographic services.

Standard library only. Every request names the site and a contact address in
its User-Agent, is retried with backoff on 429, 5xx and connection errors
(honouring Retry-After), and successful answers are kept in Django's cache, so
looking the same identifier up twice asks the service once.

Requests go only to the service's allow-list and to public addresses, follow
a few redirects that stay on the list, read at most MAX_BYTES, and share one
deadline per lookup whatever the retries (`references/lookup/connection.py`).
"""

import hashlib
import http.client
import logging
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from references.lookup.addresses import Refused, allow_list
from references.lookup.connection import Answer, Deadline, Policy, fetch

logger = logging.getLogger("references.lookup")

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
    # The hosts DOI content negotiation hands a DOI on to: its registration
    # agency's service (Crossref, DataCite, mEDRA, JaLC).
    "DOI_HOSTS": [
        "api.crossref.org",
        "data.crossref.org",
        "data.crosscite.org",
        "api.datacite.org",
        "data.datacite.org",
        "data.medra.org",
        "data.jalc.org",
        "api.japanlinkcenter.org",
    ],
    # One connection or one read; DEADLINE bounds the whole lookup.
    "TIMEOUT": 8.0,
    "DEADLINE": 10.0,
    "RETRIES": 2,
    "BACKOFF": 0.5,
    "CACHE_SECONDS": 7 * 24 * 3600,
    # host:port origins, exactly as in the URLs, that may be internal
    # addresses: only for the tests' replay server (`check --deploy` warns).
    "ALLOW_INTERNAL": [],
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


def _retry_after(answer: Answer, attempt: int) -> float:
    header = (answer.headers.get("Retry-After") or "").strip()
    if header.isdigit():
        return min(float(header), MAX_RETRY_AFTER)
    return config("BACKOFF") * (2**attempt)


def policy_for(url: str, hosts: Iterable[str]) -> Policy:
    """Where a request to `url` may go: its own origin and `hosts` (https)."""
    return Policy(
        origins=allow_list([url], hosts),
        internal=frozenset(config("ALLOW_INTERNAL")),
        timeout=float(config("TIMEOUT")),
        max_bytes=MAX_BYTES,
    )


def get(
    url: str,
    accept: str = "application/json",
    service: str = "",
    deadline: Deadline | None = None,
    hosts: Iterable[str] = (),
) -> Response:
    """GET `url`, cached; raise NotFound on 404/410, ServiceError on failure.

    Redirects are followed only to `url`'s origin and to `hosts`; the whole
    call, retries included, ends by `deadline` (a new DEADLINE if None).
    """
    key = _cache_key(url, accept)
    cached = cache.get(key)
    if cached is not None:
        return Response(*cached)
    service = service or urllib.parse.urlsplit(url).hostname or url
    deadline = deadline or Deadline(float(config("DEADLINE")))
    headers = {"Accept": accept, "User-Agent": user_agent()}
    retries = int(config("RETRIES"))
    for attempt in range(retries + 1):
        backoff = config("BACKOFF") * (2**attempt)
        try:
            answer = fetch(url, headers, policy_for(url, hosts), deadline)
        except Refused as error:
            logger.warning(
                "%s lookup refused %s: %s", service, error.host, error.reason
            )
            raise ServiceError(f"{service} {error.explanation}") from None
        except TimeoutError:
            if attempt < retries and deadline.sleep(backoff):
                continue
            raise ServiceError(f"{service} did not answer in time.") from None
        except OSError:  # refused connections, resets, unknown names
            if attempt < retries and deadline.sleep(backoff):
                continue
            raise ServiceError(
                f"{service} could not be reached (is the server offline?)."
            ) from None
        except http.client.HTTPException:  # a malformed or cut-short answer
            raise ServiceError(f"{service} sent an answer we could not read.") from None
        if 200 <= answer.status < 300:
            response = Response(
                answer.status, answer.body, answer.headers.get("Content-Type", "")
            )
            cache.set(
                key,
                (response.status, response.body, response.content_type),
                config("CACHE_SECONDS"),
            )
            return response
        if answer.status in (404, 410):
            raise NotFound(f"{service} has no record of it.")
        retryable = answer.status == 429 or answer.status >= 500
        if (
            retryable
            and attempt < retries
            and deadline.sleep(_retry_after(answer, attempt))
        ):
            continue
        raise ServiceError(f"{service} answered with an error ({answer.status}).")
    raise ServiceError(f"{service} could not be reached.")  # pragma: no cover
