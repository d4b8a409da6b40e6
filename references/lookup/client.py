"""A small, polite HTTP client for the bibliographic services.

Standard library only. Every request names the site and a contact address in
its User-Agent, is retried with backoff on 429, 5xx and connection errors
(honouring Retry-After), and successful answers are kept in Django's cache, so
looking the same identifier up twice asks the service once.

Requests go only to the service's allow-list and to public addresses, follow
a few redirects that stay on the list, read at most MAX_BYTES, and share one
deadline per lookup whatever the retries (`references/lookup/connection.py`).
"""

import dataclasses
import hashlib
import http.client
import logging
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from references.lookup.addresses import (
    Refused,
    TooLarge,
    Unreadable,
    allow_list,
    origin_of,
)
from references.lookup.connection import Answer, Deadline, Policy, fetch
from references.lookup.pacing import Pacer

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
    # The evidence watchers' pace, in requests a second: well within
    # Crossref's polite pool (its answers state 50 a second) and NCBI's 3
    # a second without an API key; a lower stated limit lowers it.
    "CROSSREF_RATE": 5.0,
    "NCBI_RATE": 3.0,
    "LINKS_RATE": 2.0,
    # The Retraction Watch CSV Crossref publishes every working day.
    "RETRACTION_WATCH_URL": (
        "https://gitlab.com/crossref/retraction-watch-data/-/raw/main/"
        "retraction_watch.csv"
    ),
    "RETRACTION_WATCH_MAX_BYTES": 256 * 1024 * 1024,
    "RETRACTION_WATCH_DEADLINE": 300.0,
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
    headers: dict = field(default_factory=dict)

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
    *,
    cached: bool = True,
    pacer: Pacer | None = None,
    max_bytes: int = MAX_BYTES,
) -> Response:
    """GET `url`, cached; raise NotFound on 404/410, ServiceError on failure.

    Redirects are followed only to `url`'s origin and to `hosts`; the whole
    call, retries included, ends by `deadline` (a new DEADLINE if None).
    The evidence watchers ask with `cached=False` (a notice must be seen the
    day it appears) and a `pacer` that keeps every attempt, retries
    included, within the service's rate.
    """
    key = _cache_key(url, accept)
    found = cache.get(key) if cached else None
    if found is not None:
        return Response(*found)
    service = service or urllib.parse.urlsplit(url).hostname or url
    deadline = deadline or Deadline(float(config("DEADLINE")))
    headers = {"Accept": accept, "User-Agent": user_agent()}
    retries = int(config("RETRIES"))
    policy = policy_for(url, hosts)
    if max_bytes != policy.max_bytes:
        policy = dataclasses.replace(policy, max_bytes=max_bytes)
    for attempt in range(retries + 1):
        backoff = config("BACKOFF") * (2**attempt)
        if pacer is not None:
            pacer.wait()
        try:
            answer = fetch(url, headers, policy, deadline)
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
        if pacer is not None:
            pacer.observe(answer.headers)
        if 200 <= answer.status < 300:
            response = Response(
                answer.status,
                answer.body,
                answer.headers.get("Content-Type", ""),
                dict(answer.headers.items()),
            )
            if cached:
                cache.set(
                    key,
                    (response.status, response.body, response.content_type),
                    config("CACHE_SECONDS"),
                )
            return response
        if answer.status in (404, 410):
            raise NotFound(f"{service} has no record of it.")
        if _waited_to_retry(answer, attempt, retries, deadline):
            continue
        raise ServiceError(f"{service} answered with an error ({answer.status}).")
    raise ServiceError(f"{service} could not be reached.")  # pragma: no cover


def _waited_to_retry(answer, attempt: int, retries: int, deadline) -> bool:
    """Whether `answer` (a 429 or a server error) may be asked again, after
    the wait it asks for, within the attempts and the deadline left."""
    retryable = answer.status == 429 or answer.status >= 500
    return (
        retryable
        and attempt < retries
        and deadline.sleep(_retry_after(answer, attempt))
    )


# Statuses that may mean "this server refuses HEAD", not "this page is gone".
HEAD_REFUSED = {400, 403, 404, 405, 406, 500, 501, 503}


def probe(url: str, pacer: Pacer | None = None) -> str:
    """Whether a cited URL answers: "" when it does, else what went wrong
    ("HTTP 404", "timed out", "refused: …").

    HEAD first, then GET when HEAD fails (some servers refuse HEAD); any
    host, but only at public addresses, checked again at every redirect.
    A GET's body is not read beyond the first bytes.
    """
    try:
        origin_of(url)
    except Refused as error:
        return f"refused: {error.reason}"[:200]
    policy = Policy(
        origins=frozenset(),
        internal=frozenset(config("ALLOW_INTERNAL")),
        timeout=float(config("TIMEOUT")),
        max_bytes=64 * 1024,
        any_origin=True,
    )
    headers = {"Accept": "*/*", "User-Agent": user_agent()}
    problem = ""
    for method in ("HEAD", "GET"):
        problem = _probe_once(url, method, headers, policy, pacer)
        if not problem or problem.startswith("refused"):
            return problem
        if method == "HEAD" and not problem.startswith("HTTP "):
            continue  # a server that drops HEAD may still answer GET
        if method == "HEAD" and int(problem[5:]) not in HEAD_REFUSED:
            return problem
    return problem


def _probe_once(
    url: str, method: str, headers: dict, policy: Policy, pacer: Pacer | None
) -> str:
    deadline = Deadline(float(config("DEADLINE")))
    retries = int(config("RETRIES"))
    for attempt in range(retries + 1):
        if pacer is not None:
            pacer.wait()
        try:
            answer = fetch(url, headers, policy, deadline, method=method)
        except (TooLarge, Unreadable):
            return ""  # it answered 2xx, with a large or compressed page
        except Refused as error:
            return f"refused: {error.reason}"[:200]
        except TimeoutError:
            if attempt < retries and deadline.sleep(config("BACKOFF") * 2**attempt):
                continue
            return "timed out"
        except OSError as error:
            if attempt < retries and deadline.sleep(config("BACKOFF") * 2**attempt):
                continue
            return f"could not connect ({type(error).__name__})"
        except http.client.HTTPException as error:
            return f"unreadable answer ({type(error).__name__})"
        if answer.status < 400:
            return ""
        if _waited_to_retry(answer, attempt, retries, deadline):
            continue
        return f"HTTP {answer.status}"
    return "could not connect"  # pragma: no cover
