"""Running a watcher as one recorded check, and applying what it found.

A check is an EvidenceCheck row, created when the run starts. The watcher
only reads (the network, the file, the library) and returns an `Outcome`;
the findings, the references' notices and last-checked times and the
watcher's own bookkeeping are then written in one transaction. A watcher
that raises (a dead service, an unreadable answer) leaves the check FAILED
with the error's class, and nothing it saw is applied.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from references.evidence.notices import Finding
from references.models import EvidenceCheck, EvidenceFinding, Reference
from references.retractions import (
    NATURE_RANK,
    RetractionNotice,
    apply_notice,
    is_blocking,
    more_serious,
)
from references.signals import NoticeReport, evidence_found, notices_changed

logger = logging.getLogger(__name__)
CHUNK = 2000
# How the dataset of a check run on a recorded answer begins.
FROM_FILE = "file "


class CheckFailed(Exception):
    """A check that could not finish; nothing of it was applied."""


@dataclass
class Request:
    """What to check: the whole library (or today's share of it), or one
    reference; from the service, or from a recorded answer in a file."""

    source: str
    reference: Reference | None = None
    from_file: Path | None = None
    whole: bool = False
    today: datetime.date = field(default_factory=timezone.localdate)
    progress: Callable[[int], None] | None = None
    total: Callable[[int], None] | None = None

    def references(self):
        """The references in scope (all, or the one asked for)."""
        if self.reference is not None:
            return Reference.objects.filter(pk=self.reference.pk)
        return Reference.objects.all()

    def advance(self, count: int = 1) -> None:
        if self.progress is not None:
            self.progress(count)

    def expect(self, count: int) -> None:
        if self.total is not None:
            self.total(count)


@dataclass
class Outcome:
    """What a watcher saw; nothing of it is written yet."""

    checked: list[int] = field(default_factory=list)  # reference ids
    matches: list[tuple[int, Finding]] = field(default_factory=list)
    dataset: str = ""
    notes: list[str] = field(default_factory=list)
    # The watcher's own writes, run in the same transaction as the findings.
    apply: Callable[[datetime.datetime], None] | None = None
    # For a check that records no findings (links): what to count instead.
    count: int | None = None
    # Whether the references checked get their evidence last-checked time
    # (links have their own).
    notice_source: bool = True


@dataclass
class CheckReport:
    check: EvidenceCheck
    findings: list[EvidenceFinding] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    retracted: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def watchers() -> dict[str, Callable[[Request], Outcome]]:
    from references.evidence import crossref, links, pubmed, retraction_watch

    return {
        "crossref-incremental": crossref.sweep_notices,
        "crossref-full": crossref.check_works,
        "pubmed": pubmed.check_pmids,
        "csv": retraction_watch.check_csv,
        "links": links.check_links,
    }


def run_check(request: Request, in_background: bool = False) -> CheckReport:
    """Run one watcher as a recorded check; apply its findings all or nothing
    and tell the apps that cite the references.

    Raises CheckFailed (the check recorded as failed) when the watcher could
    not finish.
    """
    check = EvidenceCheck.objects.create(
        source=request.source, reference=request.reference
    )
    try:
        outcome = watchers()[request.source](request)
    except Exception as error:
        check.result = EvidenceCheck.Result.FAILED
        check.error = f"{type(error).__name__}: {error}"[:500]
        check.finished_at = timezone.now()
        check.save(update_fields=["result", "error", "finished_at"])
        logger.warning("Evidence check %s failed: %s", check.pk, check.error)
        raise CheckFailed(check.error) from error
    report = record(check, outcome)
    tell(report, in_background)
    return report


def _best(findings: list[Finding]) -> Finding:
    return max(
        findings,
        key=lambda f: (NATURE_RANK.get(f.kind, 0), f.date or datetime.date.min),
    )


@transaction.atomic
def record(check: EvidenceCheck, outcome: Outcome) -> CheckReport:
    """Save what a check found, once: the findings not already recorded, the
    most serious notice on each reference, and when each was checked."""
    now = timezone.now()
    report = CheckReport(check)
    ids = sorted({reference_id for reference_id, _finding in outcome.matches})
    known = set(
        EvidenceFinding.objects.filter(reference_id__in=ids).values_list(
            "reference_id", "kind", "notice_key"
        )
    )
    new: dict[int, list[Finding]] = {}
    rows = []
    for reference_id, finding in outcome.matches:
        key = (reference_id, finding.kind, finding.notice_key)
        if key in known:
            continue
        known.add(key)
        new.setdefault(reference_id, []).append(finding)
        rows.append(
            EvidenceFinding(
                reference_id=reference_id,
                kind=finding.kind,
                notice_date=finding.date,
                notice_doi=finding.notice_doi,
                notice_pmid=finding.notice_pmid,
                notice_url=finding.notice_url,
                notice_key=finding.notice_key,
                label=finding.label,
                source=check.source,
                provenance=finding.provenance,
                record_id=finding.record_id,
                found_at=now,
                check_run=check,
            )
        )
    report.findings = EvidenceFinding.objects.bulk_create(rows)
    references = Reference.objects.in_bulk(list(new))
    for finding in report.findings:
        finding.reference = references[finding.reference_id]
    changed = []
    for reference in references.values():
        best = _best(new[reference.pk])
        if not more_serious(best.kind, reference.retraction_status):
            continue
        was_blocking = is_blocking(reference.retraction_status)
        notice = RetractionNotice(
            record_id=best.record_id,
            original_doi=best.work_doi,
            original_pmid=best.work_pmid,
            nature=best.kind,
            notice_doi=best.notice_doi,
            date=best.date,
            reason=best.reason,
            title="",
        )
        if apply_notice(reference, notice, now):
            changed.append(reference)
            report.changed.append(reference.pk)
            if is_blocking(best.kind) and not was_blocking:
                report.retracted.append(reference.pk)
    Reference.objects.bulk_update(
        changed,
        [
            "retraction_status",
            "retraction_notice_doi",
            "retraction_date",
            "retraction_reason",
            "retraction_checked_at",
        ],
        batch_size=1000,
    )
    if outcome.apply is not None:
        outcome.apply(now)
    if outcome.notice_source:
        stamp = {
            "last_checked_at": now,
            "last_checked_source": check.source,
            "retraction_checked_at": now,
        }
        for start in range(0, len(outcome.checked), CHUNK):
            chunk = outcome.checked[start : start + CHUNK]
            Reference.objects.filter(pk__in=chunk).update(**stamp)
    check.result = EvidenceCheck.Result.OK
    check.finished_at = timezone.now()
    check.dataset = outcome.dataset[:200]
    check.notes = "\n".join(outcome.notes)
    check.checked = len(set(outcome.checked))
    check.findings = len(rows) if outcome.count is None else outcome.count
    check.save()
    return report


def tell(report: CheckReport, in_background: bool) -> None:
    """Send `notices_changed` (as the CSV import does) and `evidence_found`;
    gather what the receivers answered for the person running the check.

    A receiver that fails is logged: the check itself stands."""
    answers = []
    if report.changed:
        answers += notices_changed.send_robust(
            sender=Reference,
            reference_ids=report.changed,
            retracted_ids=report.retracted,
            progress=None,
            in_background=False,
        )
    if report.findings:
        answers += evidence_found.send_robust(
            sender=EvidenceCheck,
            findings=report.findings,
            check=report.check,
            in_background=in_background,
        )
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error(
                "%s failed after evidence check %s",
                getattr(receiver, "__qualname__", receiver),
                report.check.pk,
                exc_info=answer,
            )
            report.warnings.append(
                f"{getattr(receiver, '__qualname__', receiver)} failed: "
                f"{type(answer).__name__}. See the log."
            )
        elif isinstance(answer, NoticeReport):
            report.lines += answer.lines
            report.warnings += answer.warnings


def library_dois(request: Request) -> dict[str, int]:
    """The references in scope by DOI (case-folded)."""
    return {
        doi.lower(): pk
        for pk, doi in request.references().exclude(doi="").values_list("pk", "doi")
    }


def library_pmids(request: Request, without_doi: bool = False) -> dict[str, int]:
    """The references in scope by PMID (only those without a DOI, if asked)."""
    references = request.references().exclude(pmid="")
    if without_doi:
        references = references.filter(doi="")
    return dict(references.values_list("pmid", "pk"))


def last_success(source: str) -> EvidenceCheck | None:
    """The last check of `source` that asked the service (not a recorded
    file) about the whole library, and succeeded."""
    return (
        EvidenceCheck.objects.succeeded()
        .filter(source=source, reference__isnull=True)
        .exclude(dataset__startswith=FROM_FILE)
        .order_by("-started_at", "-pk")
        .first()
    )
