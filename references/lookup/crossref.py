"""DOIs: Crossref's REST API first, then DOI content negotiation (CSL-JSON).

Crossref holds most DOIs cited in medicine; content negotiation at doi.org
also answers for DataCite and mEDRA DOIs, so it is the fallback when Crossref
has no record. Both answers are mapped to CSL-JSON and read by the CSL-JSON
importer, so a looked-up record meets the same rules as an imported one.
"""

import html
import json
import re
import urllib.parse

from references.importers.common import ImportFormatError, finish_record
from references.importers.csl_json import csl_record
from references.lookup.client import (
    NotFound,
    ServiceError,
    build_url,
    config,
    contact,
    get,
)
from references.lookup.connection import Deadline
from references.records import ReferenceData

CSL_JSON = "application/vnd.citationstyles.csl+json"
# Crossref's work types, as CSL types the CSL-JSON importer knows.
CROSSREF_TYPES = {
    "journal-article": "article-journal",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "reference-entry": "chapter",
    "report": "report",
    "standard": "report",
}
TAG = re.compile(r"<[^>]{0,200}>")


def _plain(value) -> str:
    """The first of a list of strings, without markup such as <i> or <scp>."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(TAG.sub("", value)).split())


def _names(people) -> list[dict]:
    names = []
    for person in people if isinstance(people, list) else []:
        if not isinstance(person, dict):
            continue
        if person.get("name") or person.get("literal"):
            names.append({"literal": _plain(person.get("name") or person["literal"])})
        elif person.get("family"):
            names.append(
                {
                    "family": _plain(person.get("family")),
                    "given": _plain(person.get("given")),
                    "suffix": _plain(person.get("suffix")),
                }
            )
    return names


def _abbreviation(value) -> str:
    # Crossref's short titles are ISO 4 with full stops ("Hum. Reprod."); NLM
    # writes the same abbreviation without them.
    return _plain(value).replace(".", "")


def to_csl(work: dict) -> dict:
    """A Crossref work (REST or content negotiation) as a CSL-JSON item."""
    issued = next(
        (
            work[key]
            for key in ("issued", "published-print", "published-online", "published")
            if isinstance(work.get(key), dict) and work[key].get("date-parts")
        ),
        None,
    )
    kind = work.get("type") if isinstance(work.get("type"), str) else ""
    item = {
        "type": CROSSREF_TYPES.get(kind, kind or "article-journal"),
        "title": _plain(work.get("title")),
        "author": _names(work.get("author")),
        "editor": _names(work.get("editor")),
        "container-title": _plain(work.get("container-title")),
        "container-title-short": _abbreviation(
            work.get("short-container-title") or work.get("container-title-short")
        ),
        "volume": _plain(work.get("volume")),
        "issue": _plain(work.get("issue")),
        "page": _plain(work.get("page")),
        "publisher": _plain(work.get("publisher")),
        "publisher-place": _plain(work.get("publisher-location")),
        "DOI": _plain(work.get("DOI")),
        "ISBN": _plain(work.get("ISBN")).replace("-", ""),
    }
    if issued is not None:
        parts = issued["date-parts"][0] if issued["date-parts"] else []
        if isinstance(parts, list) and parts and parts[0] is not None:
            item["issued"] = {"date-parts": [parts[:3]]}
    return item


def record_from_work(work: dict, service: str) -> ReferenceData:
    """The ReferenceData of a Crossref work; ServiceError if it is unusable."""
    if not isinstance(work, dict):
        raise ServiceError(f"{service} sent a record in an unexpected shape.")
    try:
        data = csl_record(to_csl(work), 1)
        if data.isbn:
            data.isbn = data.isbn.split(",")[0].strip()
        return finish_record(data, 1, None)
    except ImportFormatError as error:
        raise ServiceError(f"{service} sent a record we cannot use: {error}") from None


def _json(response, service: str):
    try:
        return json.loads(response.text())
    except (ValueError, RecursionError):
        raise ServiceError(
            f"{service} sent an answer that is not valid JSON."
        ) from None


def look_up_doi(doi: str, deadline: Deadline | None = None) -> ReferenceData:
    """A DOI's record from Crossref, or from doi.org when Crossref has none.

    doi.org may hand the request on to the DOI's registration agency, one of
    the DOI_HOSTS; both requests share `deadline`.
    """
    deadline = deadline or Deadline(float(config("DEADLINE")))
    quoted = urllib.parse.quote(doi, safe="/:;()")
    params = {"mailto": contact()} if contact() else None
    try:
        response = get(
            build_url(config("CROSSREF_URL"), f"works/{quoted}", params),
            service="Crossref",
            deadline=deadline,
        )
    except NotFound:
        response = None
    if response is not None:
        answer = _json(response, "Crossref")
        message = answer.get("message") if isinstance(answer, dict) else None
        return record_from_work(message, "Crossref")
    try:
        response = get(
            build_url(config("DOI_URL"), quoted),
            accept=CSL_JSON,
            service="doi.org",
            deadline=deadline,
            hosts=config("DOI_HOSTS"),
        )
    except NotFound:
        raise NotFound(
            "Neither Crossref nor doi.org knows this DOI; check it for typing errors."
        ) from None
    return record_from_work(_json(response, "doi.org"), "doi.org")
