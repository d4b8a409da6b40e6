"""Turn parsed records into References: plan (preview) first, then apply.

Both the admin import and `manage.py import_references` go through here, so
they find the same duplicates and import all or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import capfirst

from references.identifiers import doi_key
from references.importers import ImportFormatError
from references.models import Reference
from references.records import ReferenceData, make_citation_key

BATCH_SIZE = 1000


@dataclass
class ImportPlan:
    new: list[ReferenceData] = field(default_factory=list)
    # (record, the existing reference it duplicates, why)
    duplicates: list[tuple[ReferenceData, Reference, str]] = field(default_factory=list)


def validate_records(records: list[ReferenceData]) -> None:
    """Check every record against the model's rules, as the admin form would.

    Raise ImportFormatError for the first bad record, naming its number, line
    and field. Uniqueness is left to `plan_import`, which skips duplicates.
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


def plan_import(records: list[ReferenceData]) -> ImportPlan:
    """Validate the records, then split them into new ones and duplicates.

    A duplicate has the same DOI (compared case-insensitively) or PMID as an
    existing reference, or as an earlier record in the same file.
    """
    validate_records(records)
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
