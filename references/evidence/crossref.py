"""Crossref: the notices indexed since the last run (nightly), and every
cited DOI's `updated-by` (weekly, a seventh of the library a day).

Both go through the lookup client (polite User-Agent with a contact, the
`mailto` parameter, timeouts, retries honouring Retry-After), uncached and
paced within the polite pool's rate.
"""

import datetime
import hashlib
import json
import urllib.parse

from references.evidence.checks import (
    FROM_FILE,
    Outcome,
    Request,
    last_success,
    library_dois,
)
from references.evidence.notices import (
    UnreadableAnswer,
    crossref_page,
    crossref_update_to,
    crossref_updated_by,
    message_of,
)
from references.lookup.client import NotFound, build_url, config, contact, get
from references.lookup.pacing import Pacer

ROWS = 1000
# Never more pages than this in one sweep: a cursor that never ends is a bug.
MAX_PAGES = 500
DAYS = 7
# The first sweep (and one after a long gap) looks back this far.
FIRST_SWEEP = datetime.timedelta(days=2)


def pacer() -> Pacer:
    """Crossref's polite pool, at CROSSREF_RATE requests a second (lowered
    to what its answers state, if less)."""
    return Pacer(float(config("CROSSREF_RATE")))


def _params(**params) -> dict:
    if contact():
        params["mailto"] = contact()
    return params


def _json(body: bytes):
    try:
        return json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        raise UnreadableAnswer("Crossref sent an answer that is not JSON.") from None


def slice_of(doi: str) -> int:
    """The day of the week (0–6) a DOI is checked on: stable, and spread
    evenly whatever the DOIs look like."""
    digest = hashlib.sha256(doi.lower().encode()).digest()
    return int.from_bytes(digest[:8], "big") % DAYS


def today_slice(today: datetime.date) -> int:
    return today.toordinal() % DAYS


def since_date(request: Request) -> datetime.date:
    """The index date to sweep from: the last sweep's day (inclusive, so
    nothing indexed that day is missed), or FIRST_SWEEP ago."""
    last = last_success("crossref-incremental")
    earliest = request.today - FIRST_SWEEP
    if last is None:
        return earliest
    return min(last.started_at.date(), request.today)


def _match_notices(items, library, outcome: Outcome) -> None:
    for item in items:
        for finding in crossref_update_to(item):
            reference_id = library.get(finding.work_doi.lower())
            if reference_id is not None:
                outcome.matches.append((reference_id, finding))


def _from_file(request: Request, library: dict[str, int]) -> Outcome:
    """A recorded Crossref answer: a notices page, a notice, or a cited work."""
    document = _json(request.from_file.read_bytes())
    message = message_of(document)
    outcome = Outcome(dataset=f"{FROM_FILE}{request.from_file.name}")
    if "items" in message:
        items, _cursor, _total = crossref_page(document)
    else:
        items = [message]
    request.expect(len(items))
    for item in items:
        _match_notices([item], library, outcome)
        reference_id = library.get(str(item.get("DOI") or "").lower())
        if reference_id is not None:
            outcome.checked.append(reference_id)
            for finding in crossref_updated_by(item):
                outcome.matches.append((reference_id, finding))
        request.advance()
    if request.reference is not None:
        outcome.checked.append(request.reference.pk)
    return outcome


def sweep_notices(request: Request) -> Outcome:
    """The notices Crossref indexed since the last sweep
    (`filter=is-update:true,from-index-date:…`, cursor paging), matched by
    their `update-to` DOIs against the library, case-insensitively."""
    library = library_dois(request)
    if request.from_file is not None:
        return _from_file(request, library)
    since = since_date(request)
    outcome = Outcome(dataset=f"from-index-date:{since.isoformat()}")
    paced, cursor, seen, pages, notices = pacer(), "*", set(), 0, 0
    while cursor and cursor not in seen and pages < MAX_PAGES:
        seen.add(cursor)
        url = build_url(
            config("CROSSREF_URL"),
            "works",
            _params(
                filter=f"is-update:true,from-index-date:{since.isoformat()}",
                rows=ROWS,
                cursor=cursor,
            ),
        )
        response = get(url, service="Crossref", cached=False, pacer=paced)
        items, cursor, total = crossref_page(_json(response.body))
        if pages == 0:
            request.expect(total)
        pages += 1
        notices += len(items)
        _match_notices(items, library, outcome)
        request.advance(len(items))
        if not items:
            break
    outcome.checked = sorted(library.values())
    outcome.dataset += f"; {notices} notice(s) in {pages} page(s)"
    return outcome


def work_updates(doi: str, paced: Pacer | None = None):
    """A cited work's `updated-by` notices, from Crossref; [] when Crossref
    has no such DOI (a DataCite DOI, say)."""
    quoted = urllib.parse.quote(doi, safe="/:;()")
    url = build_url(config("CROSSREF_URL"), f"works/{quoted}", _params())
    try:
        response = get(url, service="Crossref", cached=False, pacer=paced)
    except NotFound:
        return None
    return crossref_updated_by(message_of(_json(response.body)))


def check_works(request: Request) -> Outcome:
    """Every cited DOI's `updated-by`: today's seventh of the library (all
    of it with `whole`, or the one reference asked for)."""
    if request.from_file is not None:
        return _from_file(request, library_dois(request))
    works = sorted(request.references().exclude(doi="").values_list("doi", "pk"))
    day = today_slice(request.today)
    if request.reference is None and not request.whole:
        works = [(doi, pk) for doi, pk in works if slice_of(doi) == day]
        dataset = f"slice {day + 1} of {DAYS}: {len(works)} DOI(s)"
    else:
        dataset = f"{len(works)} DOI(s)"
    outcome = Outcome(dataset=dataset)
    request.expect(len(works))
    paced, missing = pacer(), 0
    for doi, reference_id in works:
        findings = work_updates(doi, paced)
        if findings is None:
            missing += 1
        else:
            outcome.checked.append(reference_id)
            outcome.matches += [(reference_id, finding) for finding in findings]
        request.advance()
    if missing:
        outcome.notes.append(f"{missing} DOI(s) unknown to Crossref.")
    return outcome
