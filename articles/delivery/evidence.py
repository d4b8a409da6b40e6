"""The reader's notice about a cited source: the one thing on a live page
that does not come from the reviewed revision, so it is narrow.

It is prepared with the page (articles/delivery/prepared.py), from two things
only: the evidence state (the watchers' findings about the sources the live
revision cites, of the kinds `HEALTH_EVIDENCE_ACTIONS` gives a reader notice)
and the live revision itself (which number the source has in its reference
list). What it says comes from one template
(articles/includes/evidence_notice.html): a kind from a fixed list, a number,
a date and a link to the notice; never text that someone typed or a service
sent. A new finding, a finding removed, or a new revision going live prepares
the page again and purges it like any other change.
"""

import datetime

from articles.evidence_policy import READER_NOTICE, SEVERITY, kinds_with
from references.models import EvidenceFinding

SAFE_SCHEMES = ("https://", "http://")


def page_notices(revision) -> list[dict]:
    """The notices the page of `revision` shows, one per cited source with a
    finding that asks for one (the most serious), in reference-list order.

    Plain JSON data, stored in the prepared card to tell when it changes.
    """
    numbers = {ref["id"]: ref["number"] for ref in revision.cited if ref.get("id")}
    kinds = kinds_with(READER_NOTICE)
    if not numbers or not kinds:
        return []
    best: dict[int, EvidenceFinding] = {}
    for finding in EvidenceFinding.objects.filter(
        reference_id__in=sorted(numbers), kind__in=kinds
    ).order_by("pk"):
        held = best.get(finding.reference_id)
        if held is None or _rank(finding) > _rank(held):
            best[finding.reference_id] = finding
    notices = []
    for reference_id, finding in best.items():
        link = finding.link
        notices.append(
            {
                "number": numbers[reference_id],
                "reference": reference_id,
                "finding": finding.pk,
                "kind": finding.kind,
                "date": (finding.notice_date or finding.found_at.date()).isoformat(),
                "found": finding.found_at.date().isoformat(),
                "link": link if link.startswith(SAFE_SCHEMES) else "",
            }
        )
    return sorted(notices, key=lambda notice: notice["number"])


def _rank(finding) -> tuple:
    return (
        SEVERITY.get(finding.kind, 0),
        finding.notice_date or datetime.date.min,
        finding.pk,
    )


def for_template(notices: list[dict], last_reviewed) -> list[dict]:
    """The notices with real dates, and whether a full review has gone live
    since each was found (the page then says it was checked, not that it is
    being checked)."""
    shown = []
    for notice in notices:
        found = datetime.date.fromisoformat(notice["found"])
        shown.append(
            {
                **notice,
                "date": datetime.date.fromisoformat(notice["date"]),
                "reviewed_since": bool(last_reviewed and last_reviewed > found),
            }
        )
    return shown
