"""Turn parsed records into References: plan (preview) first, then apply.

Both the admin import and `manage.py import_references` go through here, so
they find the same duplicates and import all or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from references.models import Reference
from references.records import ReferenceData, make_citation_key

BATCH_SIZE = 1000


@dataclass
class ImportPlan:
    new: list[ReferenceData] = field(default_factory=list)
    # (record, the existing reference it duplicates, why)
    duplicates: list[tuple[ReferenceData, Reference, str]] = field(default_factory=list)


def plan_import(records: list[ReferenceData]) -> ImportPlan:
    """Split records into new ones and duplicates (same DOI or PMID)."""
    dois = {r.doi for r in records if r.doi}
    pmids = {r.pmid for r in records if r.pmid}
    existing_doi, existing_pmid = {}, {}
    for chunk in _chunks(sorted(dois), BATCH_SIZE):
        for ref in Reference.objects.filter(doi__in=chunk):
            existing_doi[ref.doi.lower()] = ref
    for chunk in _chunks(sorted(pmids), BATCH_SIZE):
        for ref in Reference.objects.filter(pmid__in=chunk):
            existing_pmid[ref.pmid] = ref
    plan = ImportPlan()
    seen_doi: dict[str, ReferenceData] = {}
    seen_pmid: dict[str, ReferenceData] = {}
    for record in records:
        if record.doi and record.doi in existing_doi:
            plan.duplicates.append((record, existing_doi[record.doi], "DOI"))
        elif record.pmid and record.pmid in existing_pmid:
            plan.duplicates.append((record, existing_pmid[record.pmid], "PMID"))
        elif (record.doi and record.doi in seen_doi) or (
            record.pmid and record.pmid in seen_pmid
        ):
            continue  # the same paper twice in one file: import it once
        else:
            plan.new.append(record)
            if record.doi:
                seen_doi[record.doi] = record
            if record.pmid:
                seen_pmid[record.pmid] = record
    return plan


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def to_model(record: ReferenceData, key: str) -> Reference:
    return Reference(
        kind=record.kind,
        citation_key=key,
        title=record.title,
        authors=[a.as_dict() for a in record.authors],
        editors=[a.as_dict() for a in record.editors],
        container_title=record.container_title[:500],
        journal_abbrev=record.journal_abbrev[:200],
        year=record.year,
        month=record.month,
        day=record.day,
        volume=record.volume[:50],
        issue=record.issue[:50],
        pages=record.pages[:50],
        publisher=record.publisher[:300],
        publisher_place=record.publisher_place[:200],
        edition=record.edition[:50],
        doi=record.doi,
        pmid=record.pmid,
        pmcid=record.pmcid,
        isbn=record.isbn,
        url=record.url[:1000],
        accessed=record.accessed,
        publication_types=record.publication_types,
        evidence_level=record.evidence_level,
    )


def apply_import(
    plan: ImportPlan, progress: Callable[[int], None] | None = None
) -> list[Reference]:
    """Create the planned references in one transaction, in batches."""
    taken = set(Reference.objects.values_list("citation_key", flat=True))
    references = []
    last_suffix: dict[str, int] = {}
    for record in plan.new:
        key = make_citation_key(
            record.authors, record.year, record.title, taken.__contains__, last_suffix
        )
        taken.add(key)
        references.append(to_model(record, key))
    created = []
    with transaction.atomic():
        for batch in _chunks(references, BATCH_SIZE):
            created += Reference.objects.bulk_create(batch)
            if progress:
                progress(len(batch))
    return created
