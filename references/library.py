"""Changes to the whole library: imports and retraction notices.

Imports turn parsed records into References: plan (preview) first, then
apply. The admin import (small ones in the request, large ones in a task)
and `manage.py import_references` all go through here, so they find the same
duplicates and import all or nothing. `import_retractions` records notices
through `record_retractions`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from references.identifiers import doi_key
from references.importers import ImportFormatError
from references.journals import abbreviate
from references.models import Reference
from references.records import ReferenceData, make_citation_key
from references.retractions import RetractionIndex, apply_notice, is_blocking

BATCH_SIZE = 1000
PROGRESS_EVERY = 500


@dataclass
class ImportPlan:
    new: list[ReferenceData] = field(default_factory=list)
    # (record, the existing reference it duplicates, why)
    duplicates: list[tuple[ReferenceData, Reference, str]] = field(default_factory=list)


def validate_records(
    records: list[ReferenceData], progress: Callable[[int], None] | None = None
) -> None:
    """Check every record against the model's rules, as the admin form would.

    Raise ImportFormatError for the first bad record, naming its number, line
    and field. Uniqueness is left to `plan_import`, which skips duplicates.
    `progress(n)` hears of every PROGRESS_EVERY records checked, and the rest.
    """
    for number, record in enumerate(records, 1):
        try:
            to_model(record, key="").validate()
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            if name == NON_FIELD_ERRORS:
                label = ""
            else:
                label = f"{capfirst(Reference._meta.get_field(name).verbose_name)}: "
            raise ImportFormatError(
                label + " ".join(messages), number, record.source_line, name
            ) from None
        if progress and number % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress and len(records) % PROGRESS_EVERY:
        progress(len(records) % PROGRESS_EVERY)


def plan_import(
    records: list[ReferenceData], progress: Callable[[int], None] | None = None
) -> ImportPlan:
    """Validate the records, then split them into new ones and duplicates.

    A duplicate has the same DOI (compared case-insensitively) or PMID as an
    existing reference, or as an earlier record in the same file. Journal
    articles get their journal's NLM abbreviation from the table first.
    """
    abbreviate(records)
    validate_records(records, progress)
    dois = {doi_key(r.doi) for r in records if r.doi}
    pmids = {r.pmid for r in records if r.pmid}
    existing_doi, existing_pmid = {}, {}
    for chunk in _chunks(sorted(dois), BATCH_SIZE):
        for ref in Reference.objects.with_dois(chunk):
            existing_doi[doi_key(ref.doi)] = ref
    for chunk in _chunks(sorted(pmids), BATCH_SIZE):
        for ref in Reference.objects.filter(pmid__in=chunk):
            existing_pmid[ref.pmid] = ref
    plan = ImportPlan()
    seen_doi: set[str] = set()
    seen_pmid: set[str] = set()
    for record in records:
        doi = doi_key(record.doi)
        if doi and doi in existing_doi:
            plan.duplicates.append((record, existing_doi[doi], "DOI"))
        elif record.pmid and record.pmid in existing_pmid:
            plan.duplicates.append((record, existing_pmid[record.pmid], "PMID"))
        elif (doi and doi in seen_doi) or (record.pmid and record.pmid in seen_pmid):
            continue  # the same paper twice in one file: import it once
        else:
            plan.new.append(record)
            if doi:
                seen_doi.add(doi)
            if record.pmid:
                seen_pmid.add(record.pmid)
    return plan


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def to_model(record: ReferenceData, key: str) -> Reference:
    """An unsaved Reference; values are not cut to fit, validation refuses them."""
    return Reference(
        kind=record.kind,
        citation_key=key,
        title=record.title,
        authors=[a.as_dict() for a in record.authors],
        editors=[a.as_dict() for a in record.editors],
        container_title=record.container_title,
        journal_abbrev=record.journal_abbrev,
        year=record.year,
        month=record.month,
        day=record.day,
        volume=record.volume,
        issue=record.issue,
        pages=record.pages,
        publisher=record.publisher,
        publisher_place=record.publisher_place,
        edition=record.edition,
        doi=record.doi,
        pmid=record.pmid,
        pmcid=record.pmcid,
        isbn=record.isbn,
        url=record.url,
        accessed=record.accessed,
        publication_types=record.publication_types,
        evidence_level=record.evidence_level,
    )


def citation_keys(records: list[ReferenceData]) -> list[str]:
    """The citation keys these new records get, in order: the import
    preview shows them, and `apply_import` gives them."""
    taken = set(Reference.objects.values_list("citation_key", flat=True))
    keys = []
    last_suffix: dict[str, int] = {}
    for record in records:
        key = make_citation_key(
            record.authors, record.year, record.title, taken.__contains__, last_suffix
        )
        taken.add(key)
        keys.append(key)
    return keys


def apply_import(
    plan: ImportPlan, progress: Callable[[int], None] | None = None
) -> list[Reference]:
    """Create the planned references in one transaction, in batches."""
    references = [
        to_model(record, key)
        for record, key in zip(plan.new, citation_keys(plan.new), strict=True)
    ]
    created = []
    with transaction.atomic():
        for batch in _chunks(references, BATCH_SIZE):
            created += Reference.objects.bulk_create(batch)
            if progress:
                progress(len(batch))
    return created


RETRACTION_FIELDS = [
    "retraction_status",
    "retraction_notice_doi",
    "retraction_date",
    "retraction_reason",
    "retraction_checked_at",
]


def record_retractions(
    index: RetractionIndex, progress: Callable[[int], None] | None = None
) -> tuple[list[Reference], list[Reference]]:
    """Record the index's notices on the references they match (by DOI, then
    PMID), in one transaction; return those changed and those newly retracted.

    Every reference with a DOI or PMID is marked as checked now.
    """
    now = timezone.now()
    checked = Reference.objects.exclude(doi="", pmid="")
    changed, retracted = [], []
    for reference in checked.iterator(chunk_size=2000):
        notice = index.lookup(doi=reference.doi, pmid=reference.pmid)
        if notice is not None and apply_notice(reference, notice, now):
            changed.append(reference)
            if is_blocking(notice.nature):
                retracted.append(reference)
        if progress:
            progress(1)
    with transaction.atomic():
        Reference.objects.bulk_update(changed, RETRACTION_FIELDS, batch_size=1000)
        checked.update(retraction_checked_at=now)
    return changed, retracted
